from django.db import models


class Member(models.Model):
    """The project's member table as it is, read-only (unmanaged: the project's migrations own it)."""

    plan_id = models.BigIntegerField()
    cin = models.CharField(max_length=9)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1)
    preferred_language = models.CharField(max_length=20)
    address_line = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    zip_code = models.CharField(max_length=10)
    phone = models.CharField(max_length=30)
    email = models.CharField(max_length=254)
    county_id = models.BigIntegerField()
    medicare_model = models.CharField(max_length=30)
    pcp_npi = models.CharField(max_length=10)
    behavioral_health_npi = models.CharField(max_length=10)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "members_member"

    def __str__(self):
        return self.cin
