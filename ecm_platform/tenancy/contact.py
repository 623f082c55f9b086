"""The plan's contact as the letters print it (DOMAIN 5.3): the member services phone and the
appeals address. Pure checks, shared by plan creation, the settings page and the API so that each
names the field at fault with the same words."""

import re

import phonenumbers

ADDRESS_MAX_LENGTH = 300
PHONE_MAX_LENGTH = 40
# A mailing address ends in a ZIP code; a sentence such as "the address in your handbook" does not.
ZIP_CODE = re.compile(r"\b\d{5}(?:-\d{4})?\b")


def phone_problem(phone: str) -> str | None:
    """Why `phone` cannot be printed as the member services number, or None."""
    phone = phone.strip()
    if not phone:
        return "Enter the member services phone number."
    if len(phone) > PHONE_MAX_LENGTH:
        return f"A phone number has at most {PHONE_MAX_LENGTH} characters."
    try:
        number = phonenumbers.parse(phone, "US")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        return f"{phone!r} is not a valid phone number; write it as members dial it, e.g. 1-800-555-0100."
    return None


def address_problem(address: str) -> str | None:
    """Why `address` cannot be printed as the appeals address, or None."""
    address = address.strip()
    if not address:
        return "Enter the mailing address for appeals."
    if len(address) > ADDRESS_MAX_LENGTH:
        return f"An address has at most {ADDRESS_MAX_LENGTH} characters."
    if not ZIP_CODE.search(address):
        return "Write the full mailing address, ending with the city, state and ZIP code."
    return None


def contact_problems(*, member_services_phone: str, appeals_address: str) -> dict[str, str]:
    """Every problem with a contact, by field name (empty: the contact can be printed)."""
    problems = {
        "member_services_phone": phone_problem(member_services_phone),
        "appeals_address": address_problem(appeals_address),
    }
    return {field: problem for field, problem in problems.items() if problem}
