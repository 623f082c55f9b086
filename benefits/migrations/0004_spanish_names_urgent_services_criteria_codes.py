"""The catalogue's Spanish names, for letters in the member's language (DOMAIN 5.3); the urgent
services whose requests are always expedited (FAQ 28: sobering centers, discharges to recuperative
care); and each discontinuation criterion as {"code", "en", "es"}, so a Community Supports
discontinuation letter names the criterion in the member's language (FAQ 39, 43)."""

from django.db import migrations
from django.utils.text import slugify

NAMES_ES = {
    "ecm": "Administración de Atención Mejorada (ECM)",
    "housing-transition-navigation": "Servicios de navegación para la transición a una vivienda",
    "housing-deposits": "Depósitos para vivienda",
    "housing-tenancy-sustaining": "Servicios de arrendamiento y mantenimiento de la vivienda",
    "post-hospitalization-housing": "Vivienda a corto plazo después de una hospitalización",
    "recuperative-care": "Cuidados de recuperación (relevo médico)",
    "respite": "Servicios de relevo",
    "day-habilitation": "Programas de habilitación diurna",
    "alf-transitions": "Transiciones a centros de vida asistida (ALF)",
    "community-home-transition": "Servicios de transición a la comunidad o al hogar",
    "personal-care-homemaker": "Servicios de cuidado personal y de ayuda en el hogar",
    "home-modifications": "Adaptaciones de accesibilidad ambiental (modificaciones en el hogar)",
    "medically-tailored-meals": "Comidas médicamente adaptadas/alimentos de apoyo médico",
    "sobering-centers": "Centros de sobriedad",
    "asthma-remediation": "Remediación del asma",
    "transitional-rent": "Renta de transición",
}
URGENT = ("sobering-centers", "recuperative-care")
CRITERIA_ES = {
    "Met care plan goals": "Cumplió las metas de su plan de cuidado",
    "Ready to transition to a lower level of care": "Está listo(a) para pasar a un nivel de atención menor",
    "No longer wishes to receive ECM": "Ya no desea recibir ECM",
    "Unable to be reached or engaged": "No se le pudo contactar ni lograr su participación",
    "Housed and stable in the new housing": "Tiene vivienda y está estable en ella",
    "No longer meets the service definition, or the need is met": (
        "Ya no cumple con la definición del servicio, o la necesidad ya está cubierta"
    ),
    "Deposits paid (one time)": "Depósitos pagados (una sola vez)",
    "Tenancy stable": "Arrendamiento estable",
    "Six months reached": "Se alcanzaron los seis meses",
    "Moved to stable housing": "Se mudó a una vivienda estable",
    "Recovered enough to leave": "Se recuperó lo suficiente para salir",
    "Ninety continuous days reached": "Se alcanzaron noventa días continuos",
    "Caregiver no longer needs relief": "La persona que le cuida ya no necesita relevo",
    "Annual hours used": "Se usaron las horas del año",
    "Skills goals met": "Se cumplieron las metas de habilidades",
    "Moved back to a nursing facility": "Regresó a un centro de enfermería",
    "Moved and set up at home": "Se mudó y se instaló en su hogar",
    "No longer needs the help": "Ya no necesita la ayuda",
    "Adaptations completed": "Adaptaciones terminadas",
    "Twelve weeks reached unless medically necessary longer": (
        "Se alcanzaron doce semanas, salvo que sea médicamente necesario más tiempo"
    ),
    "Sober, stay under 24 hours": "Sobrio(a), estancia de menos de 24 horas",
    "Remediation completed": "Remediación terminada",
    "Six months of rent reached": "Se alcanzaron seis meses de renta",
}


def seed(apps, schema_editor):
    for service in apps.get_model("benefits", "CatalogueService").objects.all():
        service.name_es = NAMES_ES.get(service.code, service.name_es)
        service.urgent = service.code in URGENT
        service.discontinuation_criteria = [
            {"code": slugify(text)[:60], "en": text, "es": CRITERIA_ES.get(text, text)}
            for text in service.discontinuation_criteria
            if isinstance(text, str)
        ] or service.discontinuation_criteria
        service.save(update_fields=["name_es", "urgent", "discontinuation_criteria"])


def unseed(apps, schema_editor):
    for service in apps.get_model("benefits", "CatalogueService").objects.all():
        service.discontinuation_criteria = [
            item["en"] if isinstance(item, dict) else item for item in service.discontinuation_criteria
        ]
        service.save(update_fields=["discontinuation_criteria"])


class Migration(migrations.Migration):
    dependencies = [("benefits", "0003_service_clocks_and_spanish_names")]

    operations = [migrations.RunPython(seed, unseed)]
