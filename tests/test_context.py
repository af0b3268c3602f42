"""Context cues (ConText-style): when a cue's scope covers a trigger, and when it must not."""
from __future__ import annotations

import time

import pytest

from claimcheck.context import ContextEngine
from claimcheck.errors import DataError
from claimcheck.types import Sentence

ENGINE = ContextEngine.default()


def _doc(*texts: str, sep: str = " ") -> tuple[str, tuple[Sentence, ...]]:
    """A document made of `texts`, one Sentence each, with absolute offsets."""
    sents, pos, parts = [], 0, []
    for text in texts:
        sents.append(Sentence(len(sents), pos, pos + len(text), text))
        parts.append(text)
        pos += len(text) + len(sep)
    return sep.join(parts), tuple(sents)


def cues_for(trigger: str, *texts: str, sep: str = " "):
    """Cues for the first occurrence of `trigger` in the LAST sentence of `texts`."""
    full, sents = _doc(*texts, sep=sep)
    last = sents[-1]
    local = last.text.index(trigger)
    cues = ENGINE.cues(sents, last.index, last.start + local, last.start + local + len(trigger))
    for c in cues:  # absolute offsets that quote the document
        assert full[c.start:c.end] == c.cue
    return cues


def categories(cues, effect: str | None = "suppress") -> set[str]:
    return {c.category for c in cues if effect is None or c.effect == effect}


# (sentence, trigger, category): the category's cue must cover the trigger.
APPLIES = [
    # negated
    ("No stem cell product has been shown to reverse ALS.", "reverse ALS", "negated"),
    ("Mesenchymal cells do not regrow spinal cord tissue.", "regrow spinal cord tissue", "negated"),
    ("There is no cure for Parkinson's disease yet.", "cure", "negated"),
    ("Drugs ease the tremor, but nothing yet stops Parkinson's disease.", "stops Parkinson's",
     "negated"),  # "yet" after "nothing" is not the conjunction that ends a scope
    ("Exosome injections are not a cure for COPD.", "cure", "negated"),
    ("Cord blood infusions cannot reverse autism.", "reverse autism", "negated"),
    ("Stem cells don’t reverse autism, whatever the brochure says.", "reverse autism", "negated"),
    ("These shots are sold without any clinical evidence that they restore lung function.",
     "restore lung function", "negated"),
    ("A cure for multiple sclerosis based on fat cells does not exist.", "cure", "negated"),
    ("Stem cells are not yet proven to repair myelin.", "repair myelin", "negated"),  # "yet" inside
    ("Patient videos do not prove that injections heal spinal cord injury.", "Patient videos",
     "negated"),  # negated verb right after the trigger
    ("Our knee study requests no payment from volunteers.", "study requests", "negated"),
    ("Our guidance: no stem cell product has been shown in a trial to restore walking after "
     "spinal cord injury.", "restore walking", "negated"),  # "no" opening a clause after ':'
    ("Right now there is no stem cell treatment that has been proven to slow, halt or reverse "
     "ALS.", "reverse ALS", "negated"),  # existential negation covers its relative clause
    # reported: a quoted sentence, relayed hearsay; attributed: someone else's site
    ("\u201cWe use exosomes for knees, hair and long COVID, and most clients feel better.\u201d",
     "most clients feel better", "reported"),
    ("I keep reading that aHSCT halts MS in most people.", "halts MS", "reported"),
    ("Their website lists autism, ALS and heart failure as conditions they treat.",
     "conditions they treat", "attributed"),
    ("Mice that received the cord cells regained bladder control.", "regained bladder control",
     "hedged"),
    # warning
    ("Be wary of any clinic that promises a cure for ALS.", "cure", "warning"),
    ("Beware of providers selling umbilical cord cells as a treatment for autism.",
     "treatment for autism", "warning"),
    ("Avoid clinics that guarantee you will walk again after a spinal cord injury.", "walk again",
     "warning"),
    ("Watch out for adverts saying exosomes regenerate lung tissue.", "regenerate lung tissue",
     "warning"),
    ("Charlatans tell desperate families that stem cells reverse autism.", "reverse autism",
     "warning"),
    ("Injections that repair knee cartilage overnight are an unproven and costly gamble.",
     "repair knee cartilage", "warning"),
    ("We urge people with MS to steer clear of offers of a permanent cure.", "permanent cure",
     "warning"),
    # reported
    ("The clinic claims its cells reverse autism.", "reverse autism", "reported"),
    ("According to the company's brochure, its injections regrow spinal cord tissue.",
     "regrow spinal cord tissue", "reported"),
    ("Her neurologist said the infusion had halted her MS.", "halted her MS", "reported"),
    ("I'd never say the infusions cured my ALS.", "cured", "reported"),
    ("These infusions are marketed as a cure for Parkinson's disease.", "cure", "reported"),
    ("He was told the treatment would reverse his ALS.", "reverse his ALS", "reported"),
    ("Families are lured by promises that the cells put autism into remission.", "remission",
     "reported"),
    ("Cord blood is often sold as a cure for cerebral palsy.", "cure", "reported"),
    ("Exosomes reverse lung scarring, the website claims.", "reverse lung scarring", "reported"),
    ("Its Instagram page promises that the drips will end long COVID.", "end long COVID",
     "reported"),
    # attributed
    ("Some clinics offer exosome injections for COPD.", "exosome injections", "attributed"),
    ("Clinics often report steadier gait in the months after MSC infusions for ataxia.",
     "steadier gait", "attributed"),
    ("Providers typically claim their cord cells calm lupus flares.", "calm lupus flares",
     "attributed"),
    ("Common slogans such as \"regrow your cartilage\" appeared on most knee clinic pages.",
     "regrow your cartilage", "reported"),
    ("Typical statements included \"proven to reverse hearing loss\".", "proven", "reported"),
    ("Many providers advertise stem cell infusions as a cure for MS.", "cure", "attributed"),
    ("Several businesses charge families thousands for cord blood infusions for autism.",
     "cord blood infusions", "attributed"),
    ("Clinics abroad inject fat-derived cells into the spine to treat ALS.", "treat ALS",
     "attributed"),
    ("Some even promise to put Crohn's disease into remission.", "remission", "attributed"),
    ("Clinics show videos of patients who arrived in wheelchairs and left walking.",
     "arrived in wheelchairs", "attributed"),
    ("Clinic websites tell parents that cord blood can put autism into remission.", "remission",
     "attributed"),
    ("Others advertise cord blood that reverses cerebral palsy.", "reverses cerebral palsy",
     "attributed"),
    ("A growing number of clinics sell stem cell shots for knee arthritis.", "stem cell shots",
     "attributed"),
    # the subject carries across "but" when no new (first/second person) subject follows
    ("Certain institutes do not run trials but sell the cells as a proven therapy for stroke.",
     "proven therapy", "attributed"),
    # hypothetical
    ("If stem cells could regenerate cartilage, surgery might be avoided.", "regenerate cartilage",
     "hypothetical"),
    ("Even if a clinic could reverse ALS, the cost would be enormous.", "reverse ALS",
     "hypothetical"),
    ("She went abroad hoping the cells would repair her spinal cord.", "repair her spinal cord",
     "hypothetical"),
    ("In theory, donor cells might replace the neurons lost in Parkinson's disease.",
     "replace the neurons", "hypothetical"),
    ("Families travel abroad in search of a treatment that reverses autism.", "reverses autism",
     "hypothetical"),
    ("It is hoped that exosomes will one day heal damaged lungs.", "heal damaged lungs",
     "hypothetical"),
    ("Some call it a potential cure for stroke.", "cure", "hypothetical"),
    # question
    ("Can stem cells cure MS?", "cure", "question"),
    ("Is there any clinic that can reverse autism?", "reverse autism", "question"),
    ("Do exosome injections really heal COPD lungs?", "heal COPD lungs", "question"),
    ("Nobody yet knows whether cord blood improves cerebral palsy.", "improves cerebral palsy",
     "question"),
    ("Ask your doctor whether stem cells regrow cartilage.", "regrow cartilage", "question"),
    # hedged
    ("Early results suggest MSCs may support remyelination.", "support remyelination", "hedged"),
    ("Preliminary data indicate that cord blood improves motor function in cerebral palsy.",
     "improves motor function", "hedged"),
    ("Exosomes reduce lung inflammation in mice.", "reduce lung inflammation", "hedged"),
    ("Stem cell therapy for stroke is being studied in clinical trials.", "Stem cell therapy",
     "hedged"),
    ("Adipose cells might help rebuild knee cartilage.", "rebuild knee cartilage", "hedged"),
    ("Stem cells help stroke patients regain speech, small study finds", "regain speech",
     "hedged"),  # a news headline reporting a finding
    ("Further research is needed before anyone can say stem cells reverse Parkinson's.",
     "reverse Parkinson's", "hedged"),
]


@pytest.mark.parametrize(("sentence", "trigger", "category"), APPLIES)
def test_cue_applies(sentence, trigger, category):
    cues = cues_for(trigger, sentence)
    assert category in categories(cues), cues


# (sentence, trigger, category): no cue of this category may cover the trigger.
DOES_NOT_APPLY = [
    # negated
    ("There is no cure for MS, but our cells halt it.", "halt it", "negated"),  # terminator
    ("Our treatment has no side effects.", "no side effects", "negated"),  # cue inside trigger
    ("Our knee injections are risk-free and not painful.", "risk-free", "negated"),  # cue after
    ("Not only do our cells repair cartilage, they regrow it.", "repair cartilage", "negated"),
    ("There is no doubt that stem cells cure autism.", "cure autism", "negated"),  # pseudo
    ("Our cells repair myelin in MS - no clinic in Europe offers more.", "repair myelin",
     "negated"),  # the clause-opening '- no' comes after the trigger
    ("Stroke patients no longer suffer paralysis after our infusions.", "paralysis", "negated"),
    ("No surgery is needed because our cells regrow cartilage.", "regrow cartilage", "negated"),
    ("There is no other clinic that can reverse Parkinson's like we do.", "reverse Parkinson's",
     "negated"),  # "no other" is a boast, not an existential negation
    ("Our cells regrow cartilage, \u201cand fast\u201d as one surgeon put it.", "regrow cartilage",
     "reported"),  # a quote that opens mid-sentence does not cover what comes before it
    ("We accept no insurance plans for the programme because the infusions in our Tijuana "
     "centre reverse ALS completely.", "reverse ALS", "negated"),  # beyond max_scope
    # warning
    ("Our protocol is safe and doesn't hurt at all.", "safe", "negated"),  # not adjacent
    ("Stem cells help you avoid knee replacement and regrow cartilage.", "regrow cartilage",
     "warning"),
    ("Unlike unproven clinics, our centre guarantees results for MS.", "guarantees results",
     "warning"),
    ("Our stroke programme restores speech; beware of imitators.", "restores speech", "warning"),
    ("Be careful to follow the aftercare plan, but our cells will regenerate your cartilage.",
     "regenerate your cartilage", "warning"),
    # reported
    ("Our stem cells cure Parkinson's.", "cure", "reported"),
    ("Say goodbye to knee pain: our cells regrow cartilage.", "regrow cartilage", "reported"),
    ("Our doctors say the infusion reverses autism.", "reverses autism", "reported"),
    ("Other clinics claim miracles, but we simply repair damaged knee cartilage.",
     "repair damaged knee cartilage", "reported"),
    ("Claim your free consultation today and start regrowing cartilage.", "regrowing cartilage",
     "reported"),
    ("Our best-selling protocol reverses COPD.", "reverses COPD", "reported"),
    # the author's own voice announcing a claim is not reported speech
    ("I'll say it plainly - the transplant cured my MS.", "cured", "reported"),
    ("I can honestly say the injections healed my knee arthritis.", "healed", "reported"),
    ("We are proud to say our cord blood programme reverses autism.", "reverses autism",
     "reported"),
    # attributed
    ("Unlike many clinics, we guarantee results for Parkinson's patients.", "guarantee results",
     "attributed"),
    ("Some clinics charge a fortune, but our cells repair myelin for a fair price.",
     "repair myelin", "attributed"),
    ("Our MS patients walk again after treatment, unlike patients at other clinics.",
     "walk again", "attributed"),
    ("Several patients with knee arthritis regrew cartilage at our clinic.", "regrew cartilage",
     "attributed"),
    ("Many notice steadier walking within weeks of our Parkinson's infusions.", "steadier walking",
     "attributed"),  # "many" of the seller's patients, not other sellers
    ("Some regain speech after our cord blood course for autism.", "regain speech", "attributed"),
    ("Our videos show patients who arrived in wheelchairs leaving on foot.",
     "arrived in wheelchairs", "attributed"),  # the seller's own media
    # hypothetical
    ("If you have MS, our stem cells will halt your disease.", "halt your disease",
     "hypothetical"),
    ("If you want to walk again after a spinal cord injury call our clinic today.", "walk again",
     "hypothetical"),
    ("Our cells regenerate cartilage that would otherwise need replacing.", "regenerate cartilage",
     "hypothetical"),
    ("Potential risks include infection and tumour growth.", "infection", "hypothetical"),
    # question
    ("Did you know that our stem cells regenerate damaged nerves?", "regenerate damaged nerves",
     "question"),
    ("Whether your MS is relapsing or progressive, our cells stop it.", "stop it", "question"),
    ("Why suffer from knee pain when our injections regrow cartilage?", "regrow cartilage",
     "question"),
    # hedged
    ("Our exosome serum is simply the most promising answer to knee arthritis.",
     "answer to knee arthritis", "hedged"),
    ("Our cells regrow cartilage; results may vary.", "regrow cartilage", "hedged"),
    ("You may book online, and our infusions will repair your myelin.", "repair your myelin",
     "hedged"),
    ("In May 2024 our cells cured three children with autism.", "cured", "hedged"),
    ("Patients may travel from any country to our clinic in Panama where the infusions "
     "regenerate nerve tissue.", "regenerate nerve tissue", "hedged"),  # beyond max_scope
]


@pytest.mark.parametrize(("sentence", "trigger", "category"), DOES_NOT_APPLY)
def test_cue_does_not_apply(sentence, trigger, category):
    cues = cues_for(trigger, sentence)
    assert category not in categories(cues, effect=None), cues


def test_every_category_has_enough_cases():
    for category in ("negated", "warning", "reported", "attributed", "hypothetical", "question",
                     "hedged"):
        assert sum(c == category for *_, c in APPLIES) >= 4
        assert sum(c == category for *_, c in DOES_NOT_APPLY) >= 3


def test_seller_voice_has_no_cue_at_all():
    for sentence, trigger in [
        ("Our stem cells cure Parkinson's.", "cure"),
        ("Our adipose cell injections are completely safe with no side effects.", "completely safe"),
        ("Book now: only two places remain for our July ALS programme.", "only two places"),
        ("98% of our knee patients avoid surgery after one injection.", "98%"),
    ]:
        assert cues_for(trigger, sentence) == ()


def test_cue_text_offsets_and_rule_are_reported():
    full, sents = _doc("Our clinic opened in 2009.", "The clinic claims its cells reverse autism.")
    s = sents[1]
    start = full.index("reverse autism")
    cues = ENGINE.cues(sents, 1, start, start + len("reverse autism"))
    (cue,) = [c for c in cues if c.category == "reported"]
    assert (cue.category, cue.cue, cue.effect) == ("reported", "claims", "suppress")
    (seller,) = [c for c in cues if c.category == "attributed"]
    assert (seller.cue, seller.rule_id) == ("The clinic claims", "attr-seller-speaks")
    assert full[seller.start:seller.end] == seller.cue
    assert cue.start == s.start + s.text.index("claims") and full[cue.start:cue.end] == "claims"
    assert cue.rule_id == "rep-speech"


def test_promising_marketing_is_only_a_downgrade():
    cues = cues_for("regain strength", "This promising therapy helps patients with ALS regain strength.")
    assert categories(cues, effect=None) == {"hedged"}
    assert {c.effect for c in cues} == {"downgrade"}


def test_these_clinics_suppresses_only_after_talk_of_others():
    """A broker's "these clinics" may be its own partners: without a warning, reported or
    attributed cue in the previous sentences the cue only downgrades."""
    item = "These companies charge families thousands for cord blood infusions for autism."
    alone = cues_for("cord blood infusions", "We work with three partner centres in Panama.", item)
    assert {(c.category, c.effect) for c in alone} == {("attributed", "downgrade")}
    after = cues_for("cord blood infusions", "Regulators have warned parents about such offers.",
                     "Families often travel far.", item)
    assert {(c.category, c.effect) for c in after} == {("attributed", "suppress")}
    far = cues_for("cord blood infusions", "Regulators have warned parents about such offers.",
                   "Families often travel far.", "Flights are long.", "Hotels are costly.", item)
    assert {c.effect for c in far} == {"downgrade"}


def test_same_sentence_in_another_document_gets_its_own_offsets():
    text = "Some clinics offer exosome injections for COPD."
    for prefix in ("", "Short intro.", "A much longer introduction about lung disease in adults."):
        texts = (prefix, text) if prefix else (text,)
        full, sents = _doc(*texts)
        last = sents[-1]
        start = full.index("exosome injections")
        (cue,) = ENGINE.cues(sents, last.index, start, start + 18)
        assert full[cue.start:cue.end] == "Some clinics" and cue.start == last.start


def test_trigger_outside_the_sentence_is_an_error():
    _, sents = _doc("Stem cells cure MS.", "Really.")
    with pytest.raises(ValueError):
        ENGINE.cues(sents, 1, 0, 5)


# ------------------------------------------------------------------ list headers
HEADER = "Warning signs of an unproven clinic:"


def test_list_items_inherit_the_warning_header():
    cues = cues_for("cure", HEADER, "Promises a cure.", sep="\n")
    assert "warning" in categories(cues)
    header_cue = next(c for c in cues if c.category == "warning")
    assert header_cue.start < len(HEADER)  # points into the header sentence
    cues = cues_for("no risk", HEADER, "Promises a cure.", "Claims there is no risk.", sep="\n")
    assert "warning" in categories(cues)


def test_list_header_variants():
    assert "warning" in categories(cues_for(
        "regrow", "Avoid clinics that:", "Charge for trial places.",
        "Say their injections regrow spinal discs.", sep="\n"))
    assert "warning" in categories(cues_for(
        "reverses autism", "Red flags to look for in stem cell adverts:",
        "The therapy reverses autism.", sep="\n"))


def test_list_ends_at_a_long_sentence():
    long_item = ("The centre did not explain where the cells came from, how they were grown, what "
                 "dose was given, or who would look after her if something went wrong afterwards.")
    cues = cues_for("cure", HEADER, long_item, "Promises a cure.", sep="\n")
    assert "warning" not in categories(cues)


def test_list_needs_a_warning_header_ending_in_a_colon():
    assert cues_for("cure", "Our ALS programme includes:", "A cure for your disease.", sep="\n") == ()
    assert cues_for("cure", "Warning signs of an unproven clinic.", "Promises a cure.",
                    sep="\n") == ()


def test_list_scope_is_limited_to_twelve_items():
    items = [f"Item number {i} on the list." for i in range(12)]
    assert "warning" not in categories(cues_for("cure", HEADER, *items, "Promises a cure.", sep="\n"))
    assert "warning" in categories(cues_for("cure", HEADER, *items[:11], "Promises a cure.", sep="\n"))


# ------------------------------------------------------------------ loading and errors
GOOD_RULE = """
  - id: neg
    category: negated
    direction: forward
    cues: [not]
"""


def _write(tmp_path, body, terminators="[but]"):
    path = tmp_path / "ctx.yaml"
    path.write_text(f"terminators: {terminators}\nrules:\n{body}", encoding="utf-8")
    return path


def _cues(engine, text, trigger):
    s = Sentence(0, 0, len(text), text)
    i = text.index(trigger)
    return engine.cues((s,), 0, i, i + len(trigger))


def test_custom_rules_file_is_used(tmp_path):
    engine = ContextEngine(_write(tmp_path, GOOD_RULE))
    assert categories(_cues(engine, "It does not cure ALS.", "cure")) == {"negated"}
    assert _cues(engine, "It does not help, but it cures ALS.", "cures") == ()


@pytest.mark.parametrize(("body", "fragment"), [
    (GOOD_RULE + "    colour: red\n", "rule 'neg': unknown key(s) colour"),
    (GOOD_RULE.replace("negated", "sarcastic"), "rule 'neg': category"),
    (GOOD_RULE.replace("forward", "sideways"), "rule 'neg': direction"),
    (GOOD_RULE.replace("[not]", "[[{LOWR: not}]]"), "rule 'neg': bad token pattern"),
    (GOOD_RULE.replace("[not]", "[]"), "rule 'neg': 'cues'"),
    (GOOD_RULE + GOOD_RULE, "rule 'neg': duplicate"),
    (GOOD_RULE.replace("    direction: forward\n", "    direction: forward\n    max_scope: 0\n"),
     "rule 'neg': 'max_scope'"),
    (GOOD_RULE.replace("    direction: forward\n", "    direction: forward\n    effect: delete\n"),
     "rule 'neg': effect"),
    ("  - id: ps\n    category: pseudo\n    cues: [no doubt]\n    direction: forward\n",
     "rule 'ps': unknown key(s) direction"),
])
def test_invalid_rules_are_data_errors_naming_file_and_rule(tmp_path, body, fragment):
    engine = ContextEngine(_write(tmp_path, body))  # construction does not load
    with pytest.raises(DataError) as err:
        _cues(engine, "It does not cure ALS.", "cure")
    assert "ctx.yaml" in str(err.value) and fragment in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_top_level_key_and_missing_file(tmp_path):
    path = tmp_path / "ctx.yaml"
    path.write_text("rules:\n" + GOOD_RULE + "extras: 1\n", encoding="utf-8")
    with pytest.raises(DataError, match="unknown key"):
        ContextEngine(path).load()
    with pytest.raises(DataError, match="not found"):
        ContextEngine(tmp_path / "missing.yaml").load()


def test_default_engine_is_shared():
    assert ContextEngine.default() is ContextEngine.default()


def test_thousand_sentences_are_fast():
    """Each call tokenises its sentence once (then caches); 1,000 fresh sentences stay cheap."""
    templates = [
        "Patient {i} said the infusion cured her MS, but the clinic never published results.",
        "Our clinic number {i} regrows knee cartilage in weeks with no downtime.",
        "If trial {i} succeeds, exosomes might one day heal COPD lungs.",
        "Some providers in region {i} sell cord blood as a cure for autism.",
    ]
    sents = []
    for i in range(1000):
        text = templates[i % 4].format(i=i)
        sents.append(Sentence(0, 0, len(text), text))
    ENGINE.load()
    t0 = time.perf_counter()
    for s in sents:
        ENGINE.cues((s,), 0, 0, 5)
    assert time.perf_counter() - t0 < 2.0
