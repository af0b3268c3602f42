from claimcheck.fingerprint import fingerprint, normalise_sentence, normalise_source


def test_same_claim_same_page_same_fingerprint_across_recrawls():
    a = fingerprint("cure-claim", "https://www.clinic.example/ms/", "Our cells  CURE MS.")
    b = fingerprint("cure-claim", "http://clinic.example/ms?utm=x", "our cells cure MS")
    assert a == b


def test_flag_page_and_sentence_all_matter():
    base = fingerprint("cure-claim", "https://clinic.example/ms", "Our cells cure MS.")
    assert base != fingerprint("repair-overclaim", "https://clinic.example/ms", "Our cells cure MS.")
    assert base != fingerprint("cure-claim", "https://clinic.example/als", "Our cells cure MS.")
    assert base != fingerprint("cure-claim", "https://clinic.example/ms", "Our cells cure ALS.")


def test_normalisers():
    assert normalise_source(None) == "-" and normalise_source("-") == "-"
    assert normalise_source("HTTPS://WWW.Example.com/A/") == "example.com/a"
    assert normalise_sentence("  “Cure”  MS!\n") == 'cure" ms'
