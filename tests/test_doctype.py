from claimcheck.doctype import classify

OFFER = """Stem Cell Therapy for Knee Osteoarthritis
At our clinic we offer adipose-derived stem cell injections for knee pain.
A typical treatment takes one day. The price of the treatment package is $6,900.
Book your free consultation today."""

CHARITY = """Should I travel abroad for stem cell treatment?
Our research team is often asked about clinics abroad. There is no evidence that these
unproven treatments work for Parkinson's. We would urge anyone considering them to talk to
their neurologist first, and to be wary of clinics that ask for payment up front."""

LETTER = """WARNING LETTER
The Food and Drug Administration reviewed your website and found that your firm markets
stromal vascular fraction products for COPD. These products are unapproved and their marketing
violates the FD&C Act."""

ABSTRACT = """Background: Mesenchymal stromal cells have been tested in small trials in stroke.
Methods: We conducted a systematic review of randomised trials. Results: Nine trials were included
(412 patients); the pooled difference was small (95% CI -0.1 to 0.4). Conclusions: evidence is limited."""


def test_offer_is_an_offer_with_reasons():
    dt = classify(OFFER)
    assert dt.kind == "offer" and dt.offers_treatment
    assert any("we-offer" in r for r in dt.reasons)


def test_charity_guidance_informs():
    dt = classify(CHARITY)
    assert dt.kind == "information" and not dt.offers_treatment


def test_warning_letter_is_a_regulator_quote():
    dt = classify(LETTER)
    assert dt.kind == "regulator-quote" and not dt.offers_treatment


def test_abstract_informs():
    assert classify(ABSTRACT).kind == "information"
