"""Managing sign-in providers: one form and one set of views, used by the network steward (for
the network's providers, under its URL and the scoping mechanism) and the platform admin (for
the platform's). The client secret is asked for, sealed and never shown again: the edit form
leaves it empty, and an empty one keeps the stored secret."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from blueprints import confirm
from blueprints.forms import form_status
from saas.sso import services
from saas.urls import absolute_url


class ProviderForm(FlaskForm):
    name = StringField(
        _l("Name on the button"),
        validators=[DataRequired(), Length(min=2, max=80)],
        description=_l("People see “Sign in with” and this name, e.g. “Scholengroep Limburg”."),
    )
    issuer = StringField(
        _l("Issuer"),
        validators=[DataRequired(), Length(max=500)],
        description=_l(
            "The provider's address, e.g. https://login.microsoftonline.com/<tenant>/v2.0; "
            "Dorp reads its /.well-known/openid-configuration."
        ),
    )
    client_id = StringField(_l("Client ID"), validators=[DataRequired(), Length(max=255)])
    client_secret = PasswordField(
        _l("Client secret"),
        validators=[Length(max=2000)],
        description=_l(
            "Stored encrypted and never shown again. Leave empty to keep the stored one."
        ),
    )
    domains = TextAreaField(
        _l("Allowed e-mail domains"),
        validators=[DataRequired(), Length(max=1000)],
        description=_l(
            "Only addresses of these domains can sign in through this provider, "
            "e.g. school.be ocmw-beringen.be (separated by spaces or commas)."
        ),
    )

    def data_for_service(self) -> services.ProviderData:
        return services.ProviderData(
            name=self.name.data,
            issuer=self.issuer.data,
            client_id=self.client_id.data,
            client_secret=self.client_secret.data or "",
            domains=self.domains.data,
        )


def _save(form: ProviderForm, provider) -> bool:
    try:
        services.save(provider, form.data_for_service())
    except services.ProviderError as exc:
        getattr(form, exc.field).errors.append(str(exc))
        return False
    return True


def list_page(*, providers: list, model: type, endpoints: dict, heading: str):
    """The providers and a form to add one."""
    form = ProviderForm(formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        provider = model()
        if _save(form, provider):
            flash(_("The sign-in provider %(name)s has been added.", name=provider.name), "success")
            return redirect(url_for(endpoints["list"]))
    return render_template(
        "sso/providers.html",
        providers=providers,
        form=form,
        endpoints=endpoints,
        heading=heading,
        redirect_uri=absolute_url("auth.sso_callback"),
    ), form_status()


def edit_page(provider, *, endpoints: dict):
    # What was posted, and only that (an empty post is an empty form, not the stored values);
    # the stored values only fill the form that is shown first. Never the secret.
    if request.method == "POST":
        form = ProviderForm(formdata=request.form)
    else:
        form = ProviderForm(
            formdata=None,
            data={
                "name": provider.name,
                "issuer": provider.issuer,
                "client_id": provider.client_id,
                "domains": provider.allowed_domains,
            },
        )
    if form.validate_on_submit() and _save(form, provider):
        flash(_("The sign-in provider %(name)s has been saved.", name=provider.name), "success")
        return redirect(url_for(endpoints["list"]))
    return render_template(
        "sso/provider.html",
        provider=provider,
        form=form,
        endpoints=endpoints,
        redirect_uri=absolute_url("auth.sso_callback"),
    ), form_status()


def remove_page(provider, *, endpoints: dict):
    back = url_for(endpoints["list"])
    page = confirm.ask(
        confirm.Confirmation(
            action="sso_provider.remove",
            title=_("Remove the sign-in provider %(name)s?", name=provider.name),
            button=_("Remove %(name)s", name=provider.name),
            back=back,
            rows=[provider],
            lost=[
                _("The “Sign in with %(name)s” button disappears.", name=provider.name),
                _("The accounts linked to it are no longer linked."),
            ],
            kept=[_("Every account stays; people can still sign in with their password.")],
            undo=_(
                "Add the provider again (with its client secret): each person is linked again "
                "at their first sign-in through it."
            ),
        )
    )
    if page is not None:
        return page
    name = provider.name
    services.remove(provider)
    flash(_("The sign-in provider %(name)s has been removed.", name=name), "info")
    return redirect(back)
