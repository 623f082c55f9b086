"""The 58 California counties, coded 01-58 in alphabetical order, with the WPC/HHP flag of
DOMAIN 3.4 (Policy Guide Appendix A)."""

from django.db import migrations

COUNTIES = [
    "Alameda", "Alpine", "Amador", "Butte", "Calaveras", "Colusa", "Contra Costa", "Del Norte",
    "El Dorado", "Fresno", "Glenn", "Humboldt", "Imperial", "Inyo", "Kern", "Kings", "Lake",
    "Lassen", "Los Angeles", "Madera", "Marin", "Mariposa", "Mendocino", "Merced", "Modoc", "Mono",
    "Monterey", "Napa", "Nevada", "Orange", "Placer", "Plumas", "Riverside", "Sacramento",
    "San Benito", "San Bernardino", "San Diego", "San Francisco", "San Joaquin", "San Luis Obispo",
    "San Mateo", "Santa Barbara", "Santa Clara", "Santa Cruz", "Shasta", "Sierra", "Siskiyou",
    "Solano", "Sonoma", "Stanislaus", "Sutter", "Tehama", "Trinity", "Tulare", "Tuolumne",
    "Ventura", "Yolo", "Yuba",
]
WPC_OR_HHP = {
    "Alameda", "Contra Costa", "Imperial", "Kern", "Kings", "Los Angeles", "Marin", "Mendocino",
    "Monterey", "Napa", "Orange", "Placer", "Riverside", "Sacramento", "San Bernardino",
    "San Diego", "San Francisco", "San Joaquin", "San Mateo", "Santa Clara", "Santa Cruz",
    "Shasta", "Sonoma", "Tulare", "Ventura",
}


def seed(apps, schema_editor):
    County = apps.get_model("tenancy", "County")
    County.objects.bulk_create(
        County(code=f"{number:02d}", name=name, has_wpc_or_hhp=name in WPC_OR_HHP)
        for number, name in enumerate(COUNTIES, start=1)
    )


def unseed(apps, schema_editor):
    apps.get_model("tenancy", "County").objects.filter(name__in=COUNTIES).delete()


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
