"""The evidence base: data validation, mentions, per-pair status and the three evidence checks."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from claimcheck import paths
from claimcheck.errors import DataError
from claimcheck.evidence import CHECKS, EvidenceBase
from claimcheck.types import Sentence

IE, EM, OB = "investigational-as-established", "evidence-mismatch", "overbroad-indication"


@pytest.fixture(scope="module")
def eb() -> EvidenceBase:
    return EvidenceBase().load()


def verdict(eb: EvidenceBase, check: str, doc: str, sentence: str | None = None):
    """Run a check on one sentence of doc (the whole doc when sentence is None)."""
    sentence = sentence or doc
    start = doc.index(sentence)
    sent = Sentence(0, start, start + len(sentence), sentence)
    doc_mentions = eb.mentions(doc)
    here = tuple(m for m in doc_mentions if m.start >= sent.start and m.end <= sent.end)
    return eb.check(check, sent, here, doc_mentions)


# --------------------------------------------------------------------------- loading and data

def test_bundled_data_loads_with_the_required_ids(eb):
    conditions = set(eb.condition_ids())
    assert {"ms", "rrms", "spms", "ppms", "progressive-ms", "als", "parkinsons", "autism",
            "spinal-cord-injury", "stroke", "cerebral-palsy", "osteoarthritis",
            "knee-osteoarthritis", "copd", "heart-failure", "diabetes", "type-1-diabetes",
            "type-2-diabetes", "alzheimers", "anti-ageing", "blood-cancers", "blood-disorders",
            "gvhd", "sickle-cell"} <= conditions
    assert {"ahsct", "msc", "msc-bone-marrow", "msc-adipose", "msc-umbilical-cord", "svf",
            "exosomes", "cord-blood", "prp", "fetal-stem-cells", "stem-cells-unspecified",
            "amniotic", "bmac", "neural-stem-cells", "islet-cells"} <= set(eb.intervention_ids())


def test_construction_is_lazy(tmp_path):
    base = EvidenceBase(tmp_path / "nowhere")  # nothing is read yet
    with pytest.raises(DataError, match="conditions.yaml"):
        base.load()


def test_required_bibliography_keys_exist(eb):
    required = """isscr-patient-handbook isscr-2021-guidelines fda-consumer-alert-2020
    fda-patient-info-2021 fda-exosome-2019 ftc-2018-order nmss-clinics-questions nmss-2021-ahsct
    mist-2019 ebmt-2019 ectrims-ebmt-2025 astct-2019 sormani-2017 muraro-2017 mesems-2021
    ema-cat-2020 tga-2018 seed nurown-2022 dawson-2020 sun-2017 shang-2022 houkin-2024
    mautner-2023 bennell-2021 weiss-2013 dream-hf-2023 lantidra-2023 rash-2025 tompkins-2017
    kuriyan-2017 berkowitz-2016 cdc-mmwr-2018 hartnett-2021 daikeler-2011 massarotti-2021
    turner-2016 ryoncil-2024 tabar-2025 snowden-2022""".split()
    assert set(required) <= set(eb.sources())
    assert eb.sources()["mist-2019"]["doi"] == "10.1001/jama.2018.18743"
    assert "url" not in eb.sources()["seed"] and "shared/seeds" in eb.sources()["seed"]["location"]


def _source_keys_used(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources":
                yield from value
            else:
                yield from _source_keys_used(value)
    elif isinstance(node, list):
        for item in node:
            yield from _source_keys_used(item)


def test_every_source_key_used_in_evidence_data_exists():
    known = set(yaml.safe_load(paths.sources_file().read_text(encoding="utf-8")))
    status = yaml.safe_load((paths.evidence_dir() / "status.yaml").read_text(encoding="utf-8"))
    used = set(_source_keys_used(status))
    assert used and used <= known, sorted(used - known)
    summaries = " ".join(" ".join(item["summary"].split())
                         for part in ("statuses", "defaults", "anchors") for item in status[part])
    cited = set()
    for group in re.findall(r"\(([a-z0-9-]+-[a-z0-9-]+(?:, [a-z0-9-]+-[a-z0-9-]+)*)\)", summaries):
        cited.update(k.strip() for k in group.split(","))
    assert len(cited) > 20 and cited <= known, sorted(cited - known)


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A writable copy of the evidence data with its bibliography next to it."""
    shutil.copytree(paths.evidence_dir(), tmp_path / "evidence")
    shutil.copy(paths.sources_file(), tmp_path / "sources.yaml")
    return tmp_path / "evidence"


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize("file, change, message", [
    ("conditions.yaml", lambda d: d["als"].update(colour="red"), r"conditions.yaml: entry 'als'.*colour"),
    ("conditions.yaml", lambda d: d["stroke"].pop("synonyms"), r"entry 'stroke'.*missing.*synonyms"),
    ("conditions.yaml", lambda d: d["rrms"].update(parent="nope"), r"entry 'rrms'.*unknown parent"),
    ("conditions.yaml", lambda d: d["copd"].update(synonyms=["(unclosed"]), r"entry 'copd'.*invalid regex"),
    ("interventions.yaml", lambda d: d["svf"].update(family="magic"), r"interventions.yaml: entry 'svf'.*family"),
    ("status.yaml", lambda d: d["statuses"][0].update(condition="gout"), r"status.yaml: entry 'ahsct x gout'.*unknown condition"),
    ("status.yaml", lambda d: d["statuses"][0].update(sources=["no-such-paper"]), r"status.yaml.*unknown source key.*no-such-paper"),
    ("status.yaml", lambda d: d["statuses"][0].update(level="proven"), r"status.yaml.*'level'"),
    ("status.yaml", lambda d: d["statuses"][2].update(population="everyone"), r"'population'"),
    ("status.yaml", lambda d: d["statuses"][0].update(summary="Works (sun-2017)."), r"cites sun-2017"),
    ("status.yaml", lambda d: d["anchors"][0].update(interventions=["leeches"]), r"entry 'mist'.*unknown intervention"),
    ("status.yaml", lambda d: d.update(extra=1), r"status.yaml.*unknown top-level key"),
])
def test_invalid_data_is_a_data_error_naming_file_and_entry(data_copy, file, change, message):
    _edit(data_copy / file, change)
    with pytest.raises(DataError, match=message):
        EvidenceBase(data_copy).load()


def test_invalid_bibliography_entry_is_named(data_copy):
    _edit(data_copy.parent / "sources.yaml", lambda d: d["mist-2019"].pop("note"))
    with pytest.raises(DataError, match=r"sources.yaml: entry 'mist-2019'.*'note'"):
        EvidenceBase(data_copy).load()


# --------------------------------------------------------------------------- mentions

@pytest.mark.parametrize("phrase, kind, term_id", [
    ("relapsing-remitting MS", "condition", "rrms"),
    ("RRMS", "condition", "rrms"),
    ("secondary progressive MS", "condition", "spms"),
    ("ALS", "condition", "als"),
    ("Lou Gehrig's disease", "condition", "als"),
    ("Parkinson's", "condition", "parkinsons"),
    ("knee osteoarthritis", "condition", "knee-osteoarthritis"),
    ("umbilical cord MSCs", "intervention", "msc-umbilical-cord"),
    ("fat-derived stem cells", "intervention", "msc-adipose"),
    ("stromal vascular fraction", "intervention", "svf"),
    ("exosomes", "intervention", "exosomes"),
    ("HSCT", "intervention", "ahsct"),
])
def test_mentions_have_exact_offsets(eb, phrase, kind, term_id):
    text = f"Last spring my uncle asked about {phrase} at a clinic in Cancun."
    start = text.index(phrase)
    found = [m for m in eb.mentions(text) if m.kind == kind]
    assert [(m.id, m.text, m.start, m.end) for m in found] == [
        (term_id, phrase, start, start + len(phrase))]


def test_mentions_use_absolute_offsets(eb):
    found = eb.mentions("Knee osteoarthritis clinics sell PRP.", offset=500)
    assert [(m.id, m.start, m.end) for m in found] == [
        ("knee-osteoarthritis", 500, 519), ("prp", 533, 536)]


def test_longest_and_most_specific_match_wins(eb):
    text = ("She had autologous haematopoietic stem cell transplantation for primary progressive "
            "multiple sclerosis, not umbilical cord blood stem cells.")
    found = [(m.id, m.text) for m in eb.mentions(text)]
    assert found == [
        ("ahsct", "autologous haematopoietic stem cell transplantation"),
        ("ppms", "primary progressive multiple sclerosis"),
        ("cord-blood", "umbilical cord blood stem cells"),
    ]


def test_no_false_ms_in_units_titles_or_msc(eb):
    # Decision: only upper-case "MS" is multiple sclerosis, so "10 ms" and "Ms. Jones" are not.
    text = "The pulse lasted 10 ms. Ms. Jones asked about MSCs and the MSc programme."
    assert [m.id for m in eb.mentions(text) if m.kind == "condition"] == []
    assert [m.id for m in eb.mentions(text) if m.kind == "intervention"] == ["msc"]
    assert [m.id for m in eb.mentions("Living with MS since 2010.")] == ["ms"]


def test_both_kinds_found_in_one_pass(eb):
    text = "Stem cell therapy for COPD and stroke; exosome injections for hair loss."
    found = [(m.kind, m.id) for m in eb.mentions(text)]
    assert found == [("intervention", "stem-cells-unspecified"), ("condition", "copd"),
                     ("condition", "stroke"), ("intervention", "exosomes"),
                     ("condition", "hair-loss")]


# --------------------------------------------------------------------------- macros

def test_macros_compile_and_match(eb):
    macros = eb.macros()
    for name in ("condition", "intervention", "stemcell_product", "condition_ms",
                 "condition_knee_osteoarthritis", "intervention_msc", "intervention_ahsct"):
        assert name in macros
    compiled = {k: re.compile(v, re.I) for k, v in macros.items()}
    assert compiled["condition"].search("treatment for Parkinson's disease")
    assert compiled["condition_ms"].search("people with SPMS")  # subtypes count
    assert not compiled["condition_ms"].search("a 10 ms delay")
    assert compiled["intervention_msc"].search("fat-derived stem cells")
    assert compiled["stemcell_product"].search("exosome injections")
    assert not compiled["stemcell_product"].search("aHSCT at a transplant centre")
    # Embedded in a checklist-style pattern, as the matcher does.
    rule = re.compile(r"\bfor all types of (?:" + macros["condition"] + ")", re.I)
    assert rule.search("we offer it for all types of multiple sclerosis")


# --------------------------------------------------------------------------- status

def test_status_levels(eb):
    rrms = eb.status("ahsct", "rrms")
    assert rrms.level == "established" and "highly active" in rrms.population
    assert "mist-2019" in rrms.sources
    assert eb.status("ahsct", "spms").level == "investigational"  # via progressive-ms
    msc = eb.status("msc", "ms")
    assert msc.level == "investigational" and "mesems-2021" in msc.sources
    assert "did not meet" in msc.summary
    assert eb.status("msc-adipose", "ppms").level == "investigational"
    assert eb.status("cord-blood", "blood-cancers").level == "established"
    autism = eb.status("cord-blood", "autism")
    assert autism.level == "investigational" and "dawson-2020" in autism.summary
    assert eb.status("msc", "gvhd").level == "established"
    assert eb.status("msc-adipose", "gvhd").level != "established"  # not inherited
    assert eb.status("islet-cells", "type-1-diabetes").level == "established"
    assert eb.status("msc-umbilical-cord", "knee-osteoarthritis").summary.count("mautner-2023")
    assert eb.status("no-such-thing", "ms").level == "unknown"


def test_exosomes_are_never_established(eb):
    for condition in (*eb.condition_ids(), "unknown"):
        st = eb.status("exosomes", condition)
        assert st.level == "no-evidence", condition
        assert "fda-exosome-2019" in st.sources
        assert "{condition}" not in st.summary


def test_clinic_products_are_not_established_outside_blood_and_gvhd(eb):
    for product in ("msc", "msc-adipose", "svf", "stem-cells-unspecified", "amniotic"):
        for condition in ("ms", "als", "autism", "stroke", "copd", "anti-ageing", "unknown"):
            assert eb.status(product, condition).level in ("investigational", "no-evidence")


# --------------------------------------------------------------------------- checks

def test_investigational_as_established(eb):
    kept = verdict(eb, IE, "Our umbilical cord MSC infusions are a proven treatment for "
                           "secondary progressive MS.")
    assert kept.keep and kept.status.level == "investigational"
    assert "msc-umbilical-cord" == kept.status.intervention and kept.note

    ok = verdict(eb, IE, "aHSCT is an established option for selected adults with highly active "
                         "relapsing-remitting MS who keep relapsing on high-efficacy drugs.")
    assert not ok.keep and ok.status.level == "established"

    widened = verdict(eb, IE, "aHSCT is a proven treatment for all types of MS.")
    assert widened.keep and "all types" in widened.note

    progressive = verdict(eb, IE, "HSCT is now a standard therapy for primary progressive MS.")
    assert progressive.keep and progressive.status.level == "investigational"

    unqualified = verdict(eb, IE, "Stem cell transplantation (HSCT) is an approved treatment "
                                  "for multiple sclerosis.")
    assert unqualified.keep  # established only for selected RRMS; the sentence does not say so

    leukaemia = verdict(eb, IE, "Cord blood transplants are an established treatment for "
                                "children with leukaemia.")
    assert not leukaemia.keep


def test_investigational_as_established_uses_the_document(eb):
    doc = ("We help families of children with autism. Stem cell therapy is now an accepted, "
           "routine treatment.")
    v = verdict(eb, IE, doc, "Stem cell therapy is now an accepted, routine treatment.")
    assert v.keep and v.status.condition == "autism" and "dawson-2020" in v.status.sources


def test_investigational_as_established_judges_the_therapy_nearest_the_claim(eb):
    careful = verdict(eb, IE, "aHSCT is an established option for selected highly active RRMS, "
                              "while MSC therapy for MS is still in trials.")
    assert not careful.keep
    clinic = verdict(eb, IE, "Unlike HSCT, our adipose stem cell treatment is proven for ALS.")
    assert clinic.keep and clinic.status.intervention == "msc-adipose"


def test_evidence_mismatch_transplant_evidence_sold_for_msc(eb):
    doc = ("Our clinic in Panama offers mesenchymal stem cell infusions for MS. The MIST trial in "
           "JAMA proved that this kind of stem cell therapy stops MS.")
    v = verdict(eb, EM, doc, "The MIST trial in JAMA proved that this kind of stem cell therapy "
                             "stops MS.")
    assert v.keep and "aHSCT" in v.note and "relapsing-remitting" in v.note
    assert v.status.intervention == "msc"


def test_evidence_mismatch_matching_evidence_is_not_kept(eb):
    doc = ("Our transplant centre offers aHSCT for highly active relapsing-remitting MS. In the "
           "randomised MIST trial, aHSCT delayed disability progression compared with drugs.")
    v = verdict(eb, EM, doc, "In the randomised MIST trial, aHSCT delayed disability progression "
                             "compared with drugs.")
    assert not v.keep and "mist-2019" in v.note


def test_evidence_mismatch_rrms_results_for_progressive_ms(eb):
    doc = ("We treat secondary progressive MS and primary progressive MS with HSCT. Registry data "
           "from the EBMT show most patients stop getting worse.")
    v = verdict(eb, EM, doc, "Registry data from the EBMT show most patients stop getting worse.")
    assert v.keep and "progressive" in v.note


def test_evidence_mismatch_preclinical(eb):
    doc = ("Adipose stem cells for emphysema. Rats with damaged lungs breathed better after the "
           "cells, which proves the treatment works.")
    v = verdict(eb, EM, doc, "Rats with damaged lungs breathed better after the cells, which "
                             "proves the treatment works.")
    assert v.keep and "animal or laboratory" in v.note
    caveat = verdict(eb, EM, "In laboratory studies the cells calmed inflammation, but this has "
                             "not been shown in people.")
    assert not caveat.keep


def test_evidence_mismatch_negative_trial_presented_as_success(eb):
    doc = ("Cord blood infusions for cerebral palsy and autism. The Duke study showed that "
           "children improved after their infusion.")
    spun = verdict(eb, EM, doc, "The Duke study showed that children improved after their "
                                "infusion.")
    assert spun.keep and "dawson-2020" in spun.note
    honest = verdict(eb, EM, "The Duke trial found that cord blood did not improve social "
                             "skills in autism.")
    assert not honest.keep


def test_evidence_mismatch_needs_named_evidence(eb):
    v = verdict(eb, EM, "Research shows stem cells can calm the immune system in Crohn's disease.")
    assert not v.keep and v.status is None


def test_overbroad_indication(eb):
    many = verdict(eb, OB, "Our exosome protocol helps with arthritis, COPD, autism, diabetes and "
                           "Alzheimer's.")
    assert many.keep and "unrelated conditions" in many.note
    assert many.status.level == "no-evidence"

    count = verdict(eb, OB, "We treat more than 40 conditions with our stem cells.")
    assert count.keep and "40 conditions" in count.note

    all_forms = verdict(eb, OB, "We offer aHSCT for every type of MS.")
    assert all_forms.keep and all_forms.status.level == "established"

    selected = verdict(eb, OB, "HSCT is offered only to selected patients with relapsing-remitting "
                               "MS.")
    assert not selected.keep

    blood = verdict(eb, OB, "Our unit treats leukaemia, lymphoma and myeloma with blood stem cell "
                            "transplants.")
    assert not blood.keep


def test_overbroad_indication_counts_conditions_across_the_document(eb):
    doc = ("Wharton's jelly cells for spinal cord injury. Patients with stroke come to us too. We "
           "also see heart failure. Knee pain responds well. Our protocol works at any stage.")
    v = verdict(eb, OB, doc, "Our protocol works at any stage.")
    assert v.keep and "4 unrelated conditions" in v.note


def test_verdict_sources_exist(eb):
    known = set(eb.sources())
    for check, text in ((IE, "Stem cells are a proven cure for ALS."),
                        (EM, "NurOwn proved that stem cells improve ALS."),
                        (OB, "We treat all types of Parkinson's disease.")):
        v = verdict(eb, check, text)
        assert v.keep and v.status is not None and set(v.status.sources) <= known


def test_unknown_check_is_an_error(eb):
    sent = Sentence(0, 0, 5, "Hello")
    with pytest.raises(DataError, match="unknown evidence check"):
        eb.check("cure-claim", sent, (), ())
    assert set(CHECKS) == {IE, EM, OB}


def test_mismatch_carried_over_from_the_previous_sentence():
    """An animal study in one sentence, sold to patients in the next ("based on this research")."""
    from claimcheck import audit_text

    text = ("A 2021 study in mice found that umbilical cord stem cells reduced joint swelling in "
            "arthritis. Based on this research, we now give our rheumatoid arthritis patients the "
            "same cells by infusion.")
    flagged = [f for f in audit_text(text).findings if f.flag == "evidence-mismatch"]
    assert flagged and "Based on this research" in flagged[-1].evidence.text
    alone = "Based on this research, we now give our rheumatoid arthritis patients the same cells."
    assert not [f for f in audit_text(alone).findings if f.flag == "evidence-mismatch"]
