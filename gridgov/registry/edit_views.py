"""Creating and editing registry objects: one view shape for every kind.

An `EditView` finds the object inside the user's scope (404 outside it), fills its form with the
object's editable fields (registry/fields.py), hands the cleaned form to the object's service and
shows what the service refused on the form. A kind says only what differs: its form, how it
finds the object, which service saves it and where the user goes next.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict, user_may
from gridgov.registry import queries, services
from gridgov.registry.forms import (
    BuildingForm,
    EditForm,
    HouseForm,
    OrganizationForm,
    PersonForm,
    PlaceForm,
    TagForm,
)
from gridgov.registry.models import Building, House, Household, Organization, Place


class Refused(Exception):
    """A value the view itself refuses (a house code outside the scope): shown on the form."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


@method_decorator(login_required, name="dispatch")
class EditView(View):
    form_class: type[EditForm]
    model: type[Model]
    template_name = "registry/form.html"
    http_method_names = ["get", "post"]
    new_title = ""

    def get_object(self, pk: int | None):
        if pk is None:
            return None
        return get_for_user(self.model.objects.all(), self.request.user, Action.CHANGE, pk=pk)

    def initial(self, target) -> dict:
        return {f: getattr(target, f) for f in self.form_class.editable} if target else {}

    def save(self, form: EditForm, target):
        """Call the service; return the saved object and whether it is new."""
        raise NotImplementedError

    def done(self, saved, created: bool, target) -> HttpResponse:
        raise NotImplementedError

    def context(self, target, form: EditForm) -> dict:
        name = getattr(target, "name", target)
        title = _("Edit %(n)s") % {"n": name} if target is not None else self.new_title
        return {"nav": "registry", "form": form, "title": title}

    def dispatch(self, request: HttpRequest, pk: int | None = None):
        self.request = request
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request)
        target = self.get_object(pk)
        form = self.form_class(request.POST or None, initial=self.initial(target))
        if request.method == "POST" and form.is_valid():
            try:
                saved, created = self.save(form, target)
            except Refused as exc:
                form.add_error(exc.field, exc.message)
            except (ValidationError, PermissionDenied) as exc:
                _form_errors(form, exc)
            else:
                return self.done(saved, created, target)
        return render(request, self.template_name, self.context(target, form))


def _form_errors(form, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class PersonEdit(EditView):
    form_class = PersonForm
    # Identifiers stay masked on the form too (reveal is the one logged way to read them); a
    # masked value sent back unchanged keeps the stored one.
    MASKED = ("id_number", "other_id", "phone")

    @property
    def new_title(self):
        return _("New person")

    def get_object(self, pk):
        return queries.get_person_for_user(self.request.user, pk, Action.CHANGE) if pk else None

    def initial(self, target) -> dict:
        if target is None:
            return {}
        initial = super().initial(target)
        initial["house_code"] = target.current_house.code if target.current_house_id else ""
        shown = queries.present_person(target)
        initial.update({f: shown[f] for f in self.MASKED if shown[f]})
        return initial

    def save(self, form, target):
        house = None
        if code := form.cleaned_data.get("house_code"):
            house = queries.houses_for(self.request.user).filter(code=code).first()
            if house is None:
                raise Refused("house_code", _("No house with this code in your scope."))
        data = form.object_data()
        if target is not None:
            shown = queries.present_person(target)
            for field in self.MASKED:
                if shown[field] and data.get(field) == shown[field]:
                    data[field] = getattr(target, field)
        return services.save_person(
            data,
            actor=self.request.user,
            person=target,
            house=house,
            area_code=target.area_code if target else "",
        )

    def done(self, saved, created, target):
        if not created and target is None:
            messages.info(
                self.request, _("This person was already registered: their record was updated.")
            )
        return redirect("registry:person", pk=saved.pk)


class BuildingEdit(EditView):
    form_class = BuildingForm
    model = Building

    @property
    def new_title(self):
        return _("New building")

    def save(self, form, target):
        saved = services.save_building(form.object_data(), actor=self.request.user, building=target)
        if target is None:
            services.generate_houses(saved, actor=self.request.user)
        return saved, target is None

    def done(self, saved, created, target):
        return redirect("registry:building", pk=saved.pk)


class HouseEdit(EditView):
    """A room of the building table: its state, its household and residents (an htmx partial)."""

    form_class = HouseForm
    template_name = "registry/_house.html"

    def get_object(self, pk):
        houses = House.objects.select_related("building")
        return get_for_user(houses, self.request.user, pk=pk)

    def save(self, form, target):
        return services.update_house(target, actor=self.request.user, **form.object_data()), False

    def done(self, saved, created, target):
        return render(self.request, self.template_name, self.context(saved, HouseForm(None)))

    def context(self, target, form) -> dict:
        user = self.request.user
        residents = queries.people_for(user).filter(current_house=target)
        households = restrict(Household.objects.filter(house=target), user)
        may_see_tags = user_may(user, Action.VIEW_KEY_POPULATION)
        return {
            "house": target,
            "residents": [queries.present_person(p) for p in residents],
            "households": households.prefetch_related("members__person"),
            "form": form if form.is_bound else HouseForm(initial=self.initial(target)),
            "may_change": user_may(user, Action.CHANGE),
            "key": queries.tags_for(user).filter(person__current_house=target, until__isnull=True)
            if may_see_tags
            else [],
        }


class OrganizationEdit(EditView):
    form_class = OrganizationForm
    model = Organization

    @property
    def new_title(self):
        return _("New organization")

    def save(self, form, target):
        return services.save_organization(
            form.object_data(), actor=self.request.user, organization=target
        )

    def done(self, saved, created, target):
        if not created and target is None:
            messages.info(
                self.request, _("This organization was already registered: its record was updated.")
            )
        return redirect("registry:organizations")


class PlaceEdit(EditView):
    form_class = PlaceForm
    model = Place

    @property
    def new_title(self):
        return _("New place")

    def save(self, form, target):
        return services.save_place(form.object_data(), actor=self.request.user, place=target), (
            target is None
        )

    def done(self, saved, created, target):
        return redirect("registry:places")


class KeyPopulationTag(EditView):
    """A new key-population tag on a person (posted from the person's page)."""

    form_class = TagForm
    http_method_names = ["post"]

    def get_object(self, pk):
        self.person = queries.get_person_for_user(self.request.user, pk, Action.VIEW_KEY_POPULATION)
        return None  # a tag is always new

    def save(self, form, target):
        tag = services.tag_key_population(
            self.person,
            actor=self.request.user,
            responsible=self.request.user,
            **form.object_data(),
        )
        return tag, True

    def done(self, saved, created, target):
        return redirect("registry:person", pk=self.person.pk)

    def context(self, target, form) -> dict:
        return {**super().context(target, form), "title": str(self.person)}
