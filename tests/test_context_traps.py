"""For every claim flag: the claim in the seller's own voice is flagged, and the same words
negated, given as a warning, reported, hypothetical or asked as a question are not."""
from __future__ import annotations

import pytest

from claimcheck.auditor import Auditor

AUDITOR = Auditor()

CASES = {
    "cure-claim": {
        "claim": "Our stem cell treatment cures multiple sclerosis.",
        "negated": "No stem cell treatment cures multiple sclerosis.",
        "warning": "Be wary of any clinic that says its stem cell treatment cures multiple sclerosis.",
        "reported": "The clinic claims that its stem cell treatment cures multiple sclerosis.",
        "hypothetical": "If a stem cell treatment cured multiple sclerosis, neurologists would be using it.",
        "question": "Does stem cell treatment cure multiple sclerosis?",
    },
    "guaranteed-outcome": {
        "claim": "We guarantee results for every Parkinson's patient we treat.",
        "negated": "No clinic can guarantee results for Parkinson's patients.",
        "warning": "Avoid clinics that guarantee results for Parkinson's patients.",
        "reported": "The brochure says the centre guarantees results for Parkinson's patients.",
        "hypothetical": "Even if a clinic could guarantee results for Parkinson's patients, the cost would be high.",
        "question": "Can any clinic guarantee results for Parkinson's patients?",
    },
    "uncited-statistic": {
        "claim": "92% of our ALS patients improve after one infusion.",
        "negated": "It is not true that 92% of ALS patients improve after one infusion.",
        "warning": "Be sceptical of clinics claiming that 92% of ALS patients improve after one infusion.",
        "reported": "The clinic's website claims that 92% of ALS patients improve after one infusion.",
        "hypothetical": "If 92% of ALS patients improved after one infusion, it would be in every guideline.",
        "question": "Do 92% of ALS patients really improve after one infusion?",
    },
    "investigational-as-established": {
        "claim": "Umbilical cord stem cell therapy is now a proven treatment for autism.",
        "negated": "Umbilical cord stem cell therapy is not a proven treatment for autism.",
        "warning": "Be wary of clinics that present umbilical cord stem cell therapy as a proven treatment for autism.",
        "reported": "Some clinics market umbilical cord stem cell therapy as a proven treatment for autism.",
        "hypothetical": "If umbilical cord stem cell therapy were a proven treatment for autism, insurers would pay for it.",
        "question": "Is umbilical cord stem cell therapy a proven treatment for autism?",
    },
    "overbroad-indication": {
        "claim": "Our mesenchymal stem cell protocol treats all types of MS at any stage.",
        "negated": "No mesenchymal stem cell protocol treats all types of MS at any stage.",
        "warning": "Beware of clinics whose stem cell protocol supposedly treats all types of MS at any stage.",
        "reported": "The provider claims its mesenchymal stem cell protocol treats all types of MS at any stage.",
        "hypothetical": "If one stem cell protocol treated all types of MS at any stage, trials would show it.",
        "question": "Can one stem cell protocol treat all types of MS at any stage?",
    },
    "risk-minimisation": {
        "claim": "Our adipose stem cell injections are completely safe with no side effects.",
        "negated": "Adipose stem cell injections are not completely safe and are not free of side effects.",
        "warning": "Be wary of any clinic that says its injections are completely safe with no side effects.",
        "reported": "The clinic claims its adipose stem cell injections are completely safe with no side effects.",
        "hypothetical": "Even if the injections were completely safe with no side effects, they would still need evidence of benefit.",
        "question": "Are adipose stem cell injections completely safe with no side effects?",
    },
    "testimonial-as-evidence": {
        "claim": "Read our patient stories: they prove our stem cell therapy works for spinal cord injury.",
        "negated": "Patient stories do not prove that stem cell therapy works for spinal cord injury.",
        "warning": "Be wary of clinics that use patient stories to prove their stem cell therapy works for spinal cord injury.",
        "reported": "The company says its patient stories prove its stem cell therapy works for spinal cord injury.",
        "hypothetical": "If patient stories could prove that a therapy works for spinal cord injury, we would not need trials.",
        "question": "Do patient stories prove that stem cell therapy works for spinal cord injury?",
    },
    "regulatory-misrepresentation": {
        "claim": "Our exosome therapy is FDA approved for knee osteoarthritis.",
        "negated": "No exosome therapy is FDA approved for knee osteoarthritis.",
        "warning": "Watch out for clinics that say their exosome therapy is FDA approved for knee osteoarthritis.",
        "reported": "The clinic falsely claimed its exosome therapy was FDA approved for knee osteoarthritis.",
        "hypothetical": "If an exosome therapy were FDA approved for knee osteoarthritis, it would be listed by the agency.",
        "question": "Is any exosome therapy FDA approved for knee osteoarthritis?",
    },
    "repair-overclaim": {
        "claim": "Our stem cells regenerate damaged nerves and repair myelin in people with MS.",
        "negated": "Stem cells do not regenerate damaged nerves or repair myelin in people with MS.",
        "warning": "Be wary of clinics claiming that stem cells regenerate damaged nerves and repair myelin in MS.",
        "reported": "The clinic claims that its stem cells regenerate damaged nerves and repair myelin in MS.",
        "hypothetical": "If stem cells could regenerate damaged nerves and repair myelin, MS care would change.",
        "question": "Can stem cells regenerate damaged nerves and repair myelin in people with MS?",
    },
    "pressure-tactic": {
        "claim": "Only 3 places left this month for stem cell treatment of COPD, so book now before prices rise.",
        "negated": "There is no need to book now: prices will not rise and places are not limited.",
        "warning": "Be wary of clinics that tell you only 3 places are left and to book now before prices rise.",
        "reported": "The clinic's email said only 3 places were left and urged her to book now before prices rise.",
        "hypothetical": "If a clinic says only 3 places are left and to book now before prices rise, walk away.",
        "question": "Why would a clinic say only 3 places are left and that you must book now before prices rise?",
    },
    "pay-to-participate": {
        "claim": "Join our stem cell clinical trial for stroke: the participation fee is $12,000.",
        "negated": "Our stroke stem cell trial charges no participation fee.",
        "warning": "Be wary of any stem cell trial for stroke that asks you to pay a participation fee.",
        "reported": "The clinic told families that its stroke trial had a participation fee of $12,000.",
        "hypothetical": "If a stroke trial asked for a participation fee, that alone would be a red flag.",
        "question": "Should a stem cell clinical trial for stroke charge a participation fee?",
    },
    "evidence-mismatch": {
        "claim": "The MIST trial published in JAMA proved that stem cells work for MS, and our mesenchymal stem cell infusions use the same science.",
        "negated": "The MIST trial did not test mesenchymal stem cell infusions, so it says nothing about them.",
        "warning": "Be wary of clinics that cite the MIST trial to sell mesenchymal stem cell infusions, which it never tested.",
        "reported": "The clinic claims the MIST trial supports its mesenchymal stem cell infusions.",
        "hypothetical": "If the MIST trial had tested mesenchymal stem cell infusions, it would support them.",
        "question": "Does the MIST trial support mesenchymal stem cell infusions for MS?",
    },
}

TRAPS = ("negated", "warning", "reported", "hypothetical", "question")


def _claim_flags(text):
    return {f.flag for f in AUDITOR.audit(text).findings if f.kind == "claim"}


@pytest.mark.parametrize("flag", sorted(CASES))
def test_claim_in_own_voice_is_flagged(flag):
    assert flag in _claim_flags(CASES[flag]["claim"])


@pytest.mark.parametrize(("flag", "trap"), [(f, t) for f in sorted(CASES) for t in TRAPS])
def test_trap_is_not_flagged(flag, trap):
    text = CASES[flag][trap]
    report = AUDITOR.audit(text)
    assert flag not in {f.flag for f in report.findings}, (text, [(f.flag, f.trigger) for f in report.findings])


def test_dismissed_hits_say_which_context_switched_them_off():
    explained = 0
    for flag, case in CASES.items():
        report = AUDITOR.audit(case["warning"])
        for d in report.dismissed:
            if d.flag == flag:
                assert d.reason and d.context, d
                explained += "warning" in d.reason
    # where a rule fires on a warning trap, context (not the rule) must be what stops it, and say so
    assert explained >= 3
