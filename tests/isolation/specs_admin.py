"""Isolation specs for the Django admin, built from the admin's own registry: every registered
model's changelist, add, change, history and delete pages, for every role of plan B.

Plan-owned models are reached with plan A's object (`{admin_<app>_<model>}`): the admin must not
show it (a 302 back to the index, the admin's "no such object", or 403/404). Installation-wide
models (counties, plans, users, reference tables) are for the installation operator: plan staff,
even a plan administrator marked as staff, must not see them listed.
"""

from django.contrib import admin

from tests.isolation.harness import Call


def is_plan_owned(model) -> bool:
    return any(field.name == "plan" for field in model._meta.get_fields())


def object_key(model) -> str:
    return f"admin_{model._meta.app_label}_{model._meta.model_name}"


def registered_models():
    return list(admin.site._registry)


def _model_specs(model) -> dict:
    opts = model._meta
    base = f"/admin/{opts.app_label}/{opts.model_name}/"
    item = f"{base}{{{object_key(model)}}}/"
    name = f"admin:{opts.app_label}_{opts.model_name}"
    specs = {
        f"{name}_changelist": [Call("get", base)],
        f"{name}_add": [Call("get", f"{base}add/")],
        f"{name}_change": [Call("get", f"{item}change/", foreign=True), Call("post", f"{item}change/", foreign=True)],
        f"{name}_history": [Call("get", f"{item}history/", foreign=True)],
        f"{name}_delete": [
            Call("get", f"{item}delete/", foreign=True),
            Call("post", f"{item}delete/", foreign=True, data={"post": "yes"}),
        ],
    }
    if (opts.app_label, opts.model_name) == ("auth", "user"):
        specs[f"{name}_password_change"] = [Call("get", f"{item}password/", foreign=True)]
    return specs


def specs() -> dict:
    result = {
        "admin:index": [Call("get", "/admin/")],
        "admin:app_list": [
            Call("get", f"/admin/{app}/") for app in sorted({m._meta.app_label for m in registered_models()})
        ],
        "admin:autocomplete": [
            Call("get", "/admin/autocomplete/?app_label=tenancy&model_name=membership&field_name=user&term=A")
        ],
    }
    for model in registered_models():
        result |= _model_specs(model)
    return result


def objects_of(plan, plan_user) -> dict:
    """One object of every registered model: the plan's own where the model is plan-owned, else any
    (the plan's own record, or a user of the plan, for the installation-wide ones)."""
    objects = {}
    for model in registered_models():
        rows = model._default_manager
        if is_plan_owned(model):
            row = rows.filter(plan=plan).order_by("pk").first()
        elif model._meta.label_lower == "tenancy.healthplan":
            row = plan
        elif model._meta.label_lower == "auth.user":
            row = plan_user
        else:
            row = rows.order_by("pk").first()
        objects[object_key(model)] = row.pk if row is not None else 0
    return objects
