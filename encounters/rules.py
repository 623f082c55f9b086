"""How an invoice line is coded (DOMAIN 9, 11) as pure rules: the modifiers read from every
position, and the (HCPCS code, modifiers) pair matched against the coding guidance in force on the
service date. No database: the pairs are plain values a selector loads once per file.

Every modifier position is read, and nothing is guessed:
- modifiers fill the positions from the first: one in position 3 with position 2 empty is an error
  (a service-identifying modifier in the wrong slot), as is a HCPCS code in a modifier column or a
  modifier in the HCPCS column;
- a code or modifier the guidance does not know (a typo: "H0O44", "UI") is an error;
- the line's modifiers must be exactly one pair's, in the positions the guidance writes them
  (cs-codes.csv): G9008 U1 GQ is the telephonic clinical ECM encounter; G9008 GQ U1 has the
  service-identifying U1 in the wrong slot and G9008 U1 U2 matches no pair: both are refused
  rather than read as a pair;
- a pair that two services share on the day would be ambiguous, and is refused too.
GQ marks a service given by telephone, video or other electronic means: not in person.
"""

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

HCPCS = re.compile(r"^[A-Z]\d{4}$")
MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
NOT_IN_PERSON = "GQ"
MODIFIER_FIELDS = ("modifier_1", "modifier_2", "modifier_3", "modifier_4")


@dataclass(frozen=True)
class CodePair:
    """A benefits.ServiceCode row as the rules need it."""

    pk: int
    service_id: int
    service_code: str
    is_community_support: bool
    hcpcs: str
    modifiers: frozenset[str]
    written: str  # the modifiers as the guidance writes them, e.g. "U1 GQ"
    unit: str
    guidance_version: str
    effective_from: date
    effective_to: date | None

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class Coding:
    """What a line's codes identified: the pair, and whether the service was in person."""

    pair: CodePair
    in_person: bool


@lru_cache(maxsize=4096)  # a file repeats a few combinations on 100,000 lines
def read_modifiers(values: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The modifiers of positions 1 to 4 (upper case, empty ones dropped) and (field, message) for
    each position that is wrong."""
    modifiers, problems, first_empty = [], [], None
    for field, raw in zip(MODIFIER_FIELDS, values, strict=True):
        value = (raw or "").strip().upper()
        if not value:
            first_empty = first_empty or field
            continue
        position = field[-1]
        if HCPCS.match(value):
            problems.append((field, f"{value} in modifier {position} is a HCPCS code: it belongs in the HCPCS column."))
            continue
        if not MODIFIER.match(value):
            problems.append((field, f"Modifier {position} {value!r} is not a modifier (two letters or digits)."))
            continue
        if first_empty is not None:
            problems.append(
                (field, f"{value} is in modifier {position} while modifier {first_empty[-1]} is empty: "
                        "modifiers fill the positions from 1.")
            )  # fmt: skip
        if value in modifiers:
            problems.append((field, f"Modifier {value} is given twice."))
        modifiers.append(value)
    return tuple(modifiers), tuple(problems)


def identify(
    hcpcs: str, modifiers: tuple[str, ...], day: date, pairs: dict[str, list[CodePair]], known_modifiers: frozenset[str]
) -> tuple[Coding | None, list[tuple[str, str]]]:
    """The pair a line's code and modifiers identify on `day`, or (field, message) problems."""
    code = (hcpcs or "").strip().upper()
    if not code:
        return None, [("hcpcs", "Give the HCPCS code.")]
    if MODIFIER.match(code) and not HCPCS.match(code):
        return None, [("hcpcs", f"{code} is a modifier, not a HCPCS code: it belongs in a modifier column.")]
    if not HCPCS.match(code):
        return None, [("hcpcs", f"{code!r} is not a HCPCS code (a letter and four digits).")]
    candidates = pairs.get(code)
    if not candidates:
        return None, [("hcpcs", f"{code} is not a code of the ECM and Community Supports coding guidance.")]
    unknown = [(f"modifier_{modifiers.index(m) + 1}", m) for m in modifiers if m not in known_modifiers]
    if unknown:
        return None, [(field, f"{m} is not a modifier of the coding guidance.") for field, m in unknown]
    in_force = [pair for pair in candidates if pair.in_force(day)]
    if not in_force:
        return None, [("hcpcs", f"{code} is not in the coding guidance in force on {day}.")]
    given = frozenset(modifiers)
    same_set = [pair for pair in in_force if pair.modifiers == given]
    matches = [pair for pair in same_set if tuple(pair.written.split()) == modifiers]
    services = {pair.service_id for pair in matches}
    if len(services) > 1:
        return None, [("modifier_1", f"{code} {' '.join(modifiers)} names more than one service on {day}.")]
    if same_set and not matches:
        written = " ".join(modifiers)
        order = "; ".join(sorted({pair.written for pair in same_set}))
        return None, [("modifier_1", f"{code} {written}: the modifiers go in positions 1 to {len(modifiers)} "
                                     f"in the order {order}.")]  # fmt: skip
    if not matches:
        taken = "; ".join(sorted({pair.written or "no modifier" for pair in in_force}))
        written = " ".join(modifiers) or "no modifier"
        return None, [("modifier_1", f"{code} with {written} identifies no service on {day}: {code} takes {taken}.")]
    return Coding(pair=matches[0], in_person=NOT_IN_PERSON not in given), []
