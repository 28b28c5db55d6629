"""One filter definition per list, shared by the list's page and its API route.

A list's filter is a `ListFilter` (a Django form) in its app's `filters.py`: its fields are the
query parameters the list understands, `base()` starts from the rows the user may reach (through
`accounts.scope.restrict`), `apply()` narrows them by the cleaned parameters and `ordering` sorts
them. The page and the API route hand it the same query dictionary, so the same query string
gives the same rows on both:

    rows = PeopleFilter(request.GET, request.user).rows()        # API: bad input -> 400
    listed = PeopleFilter(request.GET, request.user)             # page: bad input -> form errors
    rows = listed.page_rows()

Parameters a list does not know (paging: page, after, limit, offset) are ignored here.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from gridgov.accounts.permissions import Action


class ListFilter(forms.Form):
    ordering: tuple[str, ...] = ("pk",)
    area_parameter = "area"

    def __init__(self, params, user, action: str = Action.VIEW):
        super().__init__(params)
        self.user = user
        self.action = action  # what the rows are read for (an export reads them for EXPORT)

    def base(self) -> QuerySet:
        """The rows of the list the user may reach for `action`: always through `restrict`."""
        raise NotImplementedError

    def area_chosen(self) -> str:
        """The area chosen (the `area` parameter): `base()` hands it to `restrict`."""
        return (getattr(self, "cleaned_data", {}).get(self.area_parameter) or "").strip()

    def apply(self, rows: QuerySet, data: dict) -> QuerySet:
        return rows

    def order(self, rows: QuerySet, data: dict) -> QuerySet:
        return rows.order_by(*self.ordering)

    def valid_data(self) -> dict:
        """The cleaned parameters, or a ValidationError naming each bad one (the API's 400)."""
        if not self.is_valid():
            raise ValidationError(
                {field or "query": errors for field, errors in self.errors.as_data().items()}
            )
        return self.cleaned_data

    def rows(self) -> QuerySet:
        data = self.valid_data()
        return self.order(self.apply(self.base(), data), data)

    def page_rows(self) -> QuerySet:
        """For a page: the rows, or none while the form shows what is wrong with the query."""
        return self.rows() if self.is_valid() else self.base().none()
