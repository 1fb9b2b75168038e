"""The firm's branding: a logo is accepted only as a decodable PNG/JPEG within bounds; the
colour as hex; a refusal names the field and changes nothing; proposals carry the branding."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import FirmBranding
from transitions.proposals.render import proposal_html
from transitions.proposals.sample import proposal_data_sample

pytestmark = pytest.mark.django_db


def _image(fmt: str, size=(300, 120), color=(20, 80, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


def _post(client, **fields):
    data = {"display_name": "Harbor Point", "color": "#224466", **fields}
    return client.post(reverse("firm-branding"), data)


def test_admin_sets_name_colour_and_png_logo(client, cast):
    client.force_login(cast.a.admin)
    response = _post(client, logo=SimpleUploadedFile("logo.png", _image("PNG")))
    assert response.status_code == 302
    row = FirmBranding.objects.get(firm=cast.a.firm)
    assert (row.display_name, row.color, row.logo_width, row.logo_height) == (
        "Harbor Point",
        "#224466",
        300,
        120,
    )
    assert Image.open(io.BytesIO(bytes(row.logo_png))).format == "PNG"
    logo = client.get(reverse("firm-branding-logo"))
    assert logo["Content-Type"] == "image/png" and logo.content == bytes(row.logo_png)


def test_jpeg_is_accepted_and_stored_as_png(client, cast):
    client.force_login(cast.a.admin)
    _post(client, logo=SimpleUploadedFile("logo.jpg", _image("JPEG", size=(1600, 400))))
    row = FirmBranding.objects.get(firm=cast.a.firm)
    assert (row.logo_width, row.logo_height) == (800, 200)  # scaled to the stored width


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "SVG logos are not accepted",
        ),
        ("logo.png", b"this is not an image at all", "not an image we can read"),
        ("logo.png", _image("PNG")[:60], "not an image we can read"),  # truncated
        ("logo.gif", _image("GIF"), "upload a PNG or JPEG"),
        ("huge.png", _image("PNG", size=(4100, 20)), "between 16 and 4000 px"),
        ("big.png", b"\x89PNG" + b"\0" * (2 * 1024 * 1024 + 10), "the limit is 2 MB"),
    ],
)
def test_bad_logos_are_refused_and_nothing_changes(client, cast, name, content, words):
    FirmBranding.objects.create(firm=cast.a.firm, display_name="Before", color="#111111")
    client.force_login(cast.a.admin)
    response = _post(client, logo=SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert words in response.content.decode().replace("&#x27;", "'")
    row = FirmBranding.objects.get(firm=cast.a.firm)
    assert (row.display_name, row.color, row.logo_png) == ("Before", "#111111", None)


def test_a_colour_that_is_not_hex_is_refused(client, cast):
    client.force_login(cast.a.admin)
    response = _post(client, color="red;}")
    assert response.status_code == 200
    assert not FirmBranding.objects.filter(firm=cast.a.firm).exists()


def test_only_the_firm_admin_edits_branding(client, cast):
    for user in (cast.a.advisor, cast.a.client_user):
        client.force_login(user)
        assert _post(client).status_code == 403
    assert not FirmBranding.objects.filter(firm=cast.a.firm).exists()


def test_the_pdf_carries_name_colour_logo_and_escapes_the_name():
    from dataclasses import replace

    data = proposal_data_sample(holdings=5)
    data = replace(
        data,
        client_name='The "O\'Brien" <Household>',
        branding=replace(
            data.branding, name="Summit & Co", color="#8a4fbf", logo_png=_image("PNG")
        ),
    )
    html = proposal_html(data, with_charts=False)
    assert "#8a4fbf" in html
    assert "data:image/png;base64," in html
    style = html[: html.index("</style>")]
    assert "<Household>" not in style and '"O' not in style  # CSS-escaped in the margin boxes
    assert "The &quot;O&#x27;Brien&quot; &lt;Household&gt;" in html
