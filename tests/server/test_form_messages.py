"""server.form_messages: each pattern and the template it rebuilds the message from agree.

A message with a value is recognised by its pattern and rebuilt from the translated
template; if the two drift apart, the message silently stays Dutch. Filled with sample
values, every template must be matched by its own pattern, giving back those values.
"""

import pytest

from server.form_messages import KINDS, PATTERNS, PLURALS, UNITS

SAMPLE = {
    "v": "123",
    "n": "12",
    "max": "200",
    "kind": next(iter(KINDS)),
    "unit": next(iter(UNITS)),
    "plural": next(iter(PLURALS)),
    "naam": "Heerlen",
    "gemeente": "Heerlen",
    "straat": "Kerkstraat",
}


@pytest.mark.parametrize(("pattern", "template"), PATTERNS, ids=lambda p: str(p)[:40])
def test_the_template_filled_in_is_matched_by_its_pattern(pattern, template):
    values = {name: SAMPLE[name] for name in pattern.groupindex}
    match = pattern.fullmatch(template % values)
    assert match is not None
    assert match.groupdict() == values
