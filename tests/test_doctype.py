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


AD_RULING = """Ruling on Nuvia Cell Clinic Ltd

Complaint ref: B26-0042
Ad description: a web page for a clinic offering stem cell injections for hip arthritis
stated "regrow your cartilage in six weeks".
Assessment: Upheld
We considered that consumers would take the claim to mean the injections had been proven to
regrow cartilage. We had not seen adequate substantiation. The ad must not appear again in the
form complained of. We told Nuvia Cell Clinic not to claim that their treatments could regrow
cartilage."""

AG_COMPLAINT = """The Attorney General's office filed a lawsuit today against a regenerative clinic chain,
alleging violations of the state Consumer Protection Act. According to the complaint, the clinics
told older patients with COPD that amniotic injections would let them stop using oxygen. The
state seeks civil penalties and injunctive relief."""

FORUM = """Re: cord blood clinic in Panama for our son with autism?

Posted by tired_dad_77 | Autism Parents Forum > Treatments

Has anyone here tried the infusion program? The price is $21,000 for four days.

Reply from Moderator_Sam:
Please read our forum guidance on unproven treatments before paying anything."""

NEWS = """Stem cell patch shows early promise in heart failure

By Dana Whitfield, Science Correspondent

A small study of eight patients found the patch was safe over six months, researchers said.
Independent experts urged caution. A larger trial is expected to begin recruiting in 2027."""


def test_advertising_ruling_is_a_regulator_quote():
    dt = classify(AD_RULING)
    assert dt.kind == "regulator-quote"
    assert any("ad-ruling" in r for r in dt.reasons)


def test_attorney_general_complaint_is_a_regulator_quote():
    assert classify(AG_COMPLAINT).kind == "regulator-quote"


def test_forum_thread_with_a_price_informs():
    dt = classify(FORUM)
    assert dt.kind == "information" and not dt.offers_treatment


def test_news_report_of_future_recruitment_informs():
    dt = classify(NEWS)
    assert dt.kind == "information"
    assert not any("trial-enrolment" in r for r in dt.reasons)


def test_a_trial_that_is_recruiting_now_is_an_offer():
    text = ("The HOPE-CP trial is now recruiting children aged 2 to 8 with cerebral palsy. "
            "Participants will receive one infusion of donor cord blood or placebo.")
    assert classify(text).kind == "offer"


REGISTER = """Blood stem cell transplants are a standard treatment for leukaemia and lymphoma.
More than 3,000 transplants are carried out each year in the country, and our donor register
matches patients with volunteers. Join the register if you are 18 to 30 and healthy."""


def test_donor_register_explainer_informs():
    dt = classify(REGISTER)
    assert dt.kind == "information" and not dt.offers_treatment
    assert any("explainer" in r for r in dt.reasons)



TRIAL_SITE = """Mesenchymal Cells After Stroke: Research Study
Northfield University Hospital is one of 9 sites in a placebo-controlled study of donor cells
given within a week of an ischaemic stroke; half of participants will receive a dummy drip. This treatment is experimental and not approved;
researchers do not yet know whether it helps, and we would urge caution about paid offers.
Who can take part? You may be eligible if you are 40-80 and had your first stroke in the past
five days. Self-referrals are not accepted; your stroke consultant should contact the study team."""


def test_a_trial_site_recruitment_page_is_an_offer_despite_cautious_wording():
    dt = classify(TRIAL_SITE)
    assert dt.kind == "offer"
    assert any("trial-site-eligibility" in r for r in dt.reasons)
    assert any("trial-site" in r for r in dt.reasons)


LOCAL_NEWS = """Retired teacher credits cord cells for easier breathing
Gordon Hale, 71, of Ashford flew to Panama for infusions for his COPD in January.
"I was out of breath on the stairs, now I manage them," he said. He paid $14,000.
His lung specialist is more cautious and says there are no trials showing the infusions work."""


def test_a_local_news_story_with_a_price_and_a_doubting_doctor_informs():
    dt = classify(LOCAL_NEWS, frozenset({"testimonial-as-evidence"}))
    assert dt.kind == "information"
    assert any("news-name-age-town" in r for r in dt.reasons)


FORUM = """Parkinson's Support Forum > Therapies > cord cells in Panama?
Started by grumpy_dad
Reply from SallyW
@grumpy_dad my husband went in 2022, it's a cure, it works for everyone, 95% success. We paid $18k.
Reply from grumpy_dad
@SallyW thanks, but my neuro says there is no good trial for this."""


def test_a_forum_thread_with_claims_in_a_posters_voice_informs():
    dt = classify(FORUM, frozenset({"cure-claim", "overbroad-indication", "uncited-statistic"}))
    assert dt.kind == "information"
    assert any("forum-meta" in r for r in dt.reasons)
