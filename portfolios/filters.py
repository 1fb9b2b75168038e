import django_filters

from portfolios.models import SECTOR_CHOICES, Security


class SecurityFilter(django_filters.FilterSet):
    sector = django_filters.ChoiceFilter(choices=SECTOR_CHOICES)
    industry = django_filters.CharFilter()
    index = django_filters.CharFilter(
        field_name="indices", lookup_expr="contains", label="Index (S&P 500, S&P 600)"
    )

    class Meta:
        model = Security
        fields = ["sector", "industry", "index", "is_active"]
