from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.models import Question
from bot.errors import ConfigError
from bot import wiring
from bot.retrieval import index_store
from bot.reading.corpus import load_corpus
from tests.conftest import make_service
from tests.doubles.hash_embedder import HashEmbedder


def test_bundled_corpus_has_the_five_organisations(corpus_copy: Path) -> None:
    corpus = load_corpus(corpus_copy)
    assert sorted(corpus.orgs) == ["alternative-provision", "model-trust", "next-steps-ed", "soke-education-trust",
                                   "stone-bay-school"]
    assert corpus.problems == []
    titles = {d.org: d.title for d in corpus.documents}
    assert titles["alternative-provision"] == "Alternative Provision Social Media Policy"


def test_unreadable_documents_are_reported_and_the_rest_indexed(corpus_copy: Path) -> None:
    (corpus_copy / "next-steps-ed" / "broken.pdf").write_bytes(b"%PDF-1.4\n this is not a pdf")
    (corpus_copy / "next-steps-ed" / "empty.txt").write_bytes(b"")
    corpus = load_corpus(corpus_copy)
    reasons = {p.source: p.reason for p in corpus.problems}
    assert set(reasons) == {"next-steps-ed/broken.pdf", "next-steps-ed/empty.txt"}
    assert "empty" in reasons["next-steps-ed/empty.txt"]
    assert len({d.org for d in corpus.documents}) == 5  # every good document still indexed


def test_a_bad_org_file_is_reported_and_stops_no_other_school(corpus_copy: Path) -> None:
    (corpus_copy / "model-trust" / "org.yaml").write_text("name: X\ncontacts: [{nme: typo}]\n")
    corpus = load_corpus(corpus_copy)
    reasons = {p.source: p.reason for p in corpus.problems}
    assert "contacts.0" in reasons["model-trust/org.yaml"] and "not served" in reasons["model-trust/org.yaml"]
    assert "model-trust" not in corpus.orgs and len(corpus.orgs) == 4
    assert {d.org for d in corpus.documents} == set(corpus.orgs)  # the others' documents are all read
    (corpus_copy / "model-trust" / "org.yaml").write_text("name: [unclosed\n")
    assert "not valid YAML" in {p.source: p.reason for p in load_corpus(corpus_copy).problems}["model-trust/org.yaml"]
    for folder in corpus_copy.iterdir():
        if folder.is_dir():
            (folder / "org.yaml").write_text("name: [unclosed\n")
    with pytest.raises(ConfigError, match="no organisation could be read"):
        load_corpus(corpus_copy)


def test_a_school_whose_trust_file_is_broken_is_served_on_its_own_documents(tmp_path: Path) -> None:
    trust, school, lost = tmp_path / "oak-trust", tmp_path / "oak-primary", tmp_path / "elm-school"
    for folder in (trust, school, lost):
        folder.mkdir()
    (trust / "org.yaml").write_text("name: [unclosed\n")
    (trust / "trust-policy.md").write_text("# Trust Policy\n\nStaff must wear lanyards.\n")
    (school / "org.yaml").write_text("name: Oak Primary\nparent: oak-trust\n")
    (school / "phones.md").write_text("# Phones\n\nStaff must not use phones in class.\n")
    (lost / "org.yaml").write_text("name: Elm School\nparent: no-such-trust\n")
    corpus = load_corpus(tmp_path)
    assert list(corpus.orgs) == ["oak-primary"] and corpus.orgs["oak-primary"].parent is None
    assert [d.title for d in corpus.documents] == ["Phones"]
    reasons = {p.source: p.reason for p in corpus.problems}
    assert "could not be read" in reasons["oak-primary/org.yaml"]
    assert "is not an organisation here" in reasons["elm-school/org.yaml"]


def test_reindex_embeds_only_changed_clauses(corpus_copy: Path, tmp_path: Path) -> None:
    emb = HashEmbedder()
    first = index_store.build(corpus_copy, tmp_path / "idx", emb)
    assert first.embedded > 300 and emb.calls == first.embedded  # repeated texts are embedded once
    again = index_store.build(corpus_copy, tmp_path / "idx", emb)
    assert again.embedded == 0 and again.reused == first.embedded and emb.calls == first.embedded
    policy = corpus_copy / "soke-education-trust" / "social-media-policy.txt"
    policy.write_text(policy.read_text() + "\n\nStaff must not livestream lessons on TikTok.\n")
    emb.texts.clear()
    changed = index_store.build(corpus_copy, tmp_path / "idx", emb)
    # the new clause, and the passages that now quote it (its own, and its neighbours' in its section)
    assert changed.embedded == len(emb.texts) >= 2
    assert all("livestream lessons on TikTok" in t for t in emb.texts)
    assert changed.reused > 300  # every other text from the cache


def test_ask_rebuilds_a_stale_index_itself(corpus_copy: Path, tmp_path: Path) -> None:
    service = make_service(corpus_copy, tmp_path / "idx", tmp_path / "log")
    assert not service.answer(Question("do staff have to wear a lanyard", "next-steps-ed")).passages or True
    (corpus_copy / "next-steps-ed" / "lanyards.md").write_text(
        "# Lanyard Policy\n\n- Staff must wear their lanyard at all times on site.\n")
    service = make_service(corpus_copy, tmp_path / "idx", tmp_path / "log")
    a = service.answer(Question("do staff have to wear a lanyard on site", "next-steps-ed"))
    assert a.answered and a.passages[0].text == "Staff must wear their lanyard at all times on site."
    assert a.passages[0].document == "Lanyard Policy"


def test_parent_trust_documents_apply_and_the_school_takes_precedence(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    trust, school, other = root / "oak-trust", root / "oak-primary", root / "elm-school"
    for folder in (trust, school, other):
        folder.mkdir(parents=True)
    (trust / "org.yaml").write_text("name: Oak Trust\ncontacts:\n  - {role: Designated Safeguarding Lead, "
                                    "name: Trina Trust}\n")
    (trust / "code.md").write_text("# Staff Code of Conduct\n\n- Staff must not vape on the school site.\n")
    (trust / "phones.md").write_text("# Mobile Phone Policy\n\n- Phones stay in lockers during lessons.\n")
    (school / "org.yaml").write_text("name: Oak Primary\nparent: oak-trust\ncontacts:\n"
                                     "  - {role: Designated Safeguarding Lead, name: Sam School, "
                                     "email: sam@oak.example}\n")
    (school / "phones.md").write_text("# Mobile Phone Policy\n\n- Phones may be used in the staff room only. "
                                      "Report misuse to the DSL.\n")
    (other / "org.yaml").write_text("name: Elm School\n")
    (other / "policy.md").write_text("# Elm Policy\n\n- Elm staff must not vape anywhere.\n")
    service = make_service(root, tmp_path / "idx", tmp_path / "log")
    vape = service.answer(Question("can staff vape on the school site", "oak-primary"))
    assert vape.passages[0].org == "oak-trust" and "vape" in vape.passages[0].text
    phones = service.answer(Question("where can I use my phone", "oak-primary"), top_k=5)
    assert "oak-trust/phones.md" not in {p.source for p in phones.passages}  # superseded by the school's
    assert phones.contacts[0].name == "Sam School" and phones.contacts[0].how == "sam@oak.example"
    elm = service.answer(Question("can staff vape on the school site", "elm-school"), top_k=5)
    assert all(p.org == "elm-school" for p in elm.passages)
    (school / "org.yaml").write_text("name: Oak Primary\nparent: nowhere\n")
    broken = load_corpus(root)  # that school's file is wrong: it is not served, the others are
    assert "oak-primary" not in broken.orgs and {"oak-trust", "elm-school"} <= set(broken.orgs)
    assert "parent 'nowhere'" in {p.source: p.reason for p in broken.problems}["oak-primary/org.yaml"]


def test_settings_reject_out_of_range_values() -> None:
    with pytest.raises(ValueError):
        Settings(top_k=0)
    assert wiring is not None


def test_two_documents_of_one_organisation_with_the_same_title_are_both_searched(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "ash-school").mkdir(parents=True)
    (root / "ash-school" / "org.yaml").write_text("name: Ash School\n")
    (root / "ash-school" / "a.md").write_text("# Staff Handbook\n\n- Staff must sign in at reception.\n")
    (root / "ash-school" / "b.md").write_text("# Staff Handbook\n\n- Lanyards must be worn on site.\n")
    service = make_service(root, tmp_path / "idx", tmp_path / "log")
    found = {p.source for p in service.answer(Question("lanyards worn on site", "ash-school"), top_k=5).passages}
    assert found == {"ash-school/a.md", "ash-school/b.md"}


def test_env_example_is_a_valid_settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text((Path(__file__).resolve().parents[2] / ".env.example").read_text())
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.today is None and settings.top_k == 3 and settings.embedding_model == ""


def test_an_index_read_by_other_reading_code_is_stale(corpus_copy: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Upgrading policybot's readers or segmenter must re-read an unchanged corpus, not serve old clauses."""
    index = tmp_path / "index"
    emb = HashEmbedder()
    index_store.build(corpus_copy, index, emb)
    assert not index_store.is_stale(corpus_copy, index, emb.model_id)
    monkeypatch.setattr(index_store, "reading_id", lambda: "another-version")
    assert index_store.is_stale(corpus_copy, index, emb.model_id)


def test_a_file_over_the_size_limit_is_reported_not_read(corpus_copy: Path, tmp_path: Path) -> None:
    (corpus_copy / "model-trust" / "prospectus.txt").write_text("Staff must sign in. " * 1000)
    report = index_store.build(corpus_copy, tmp_path / "index", HashEmbedder(), max_bytes=10_000)
    reasons = {p.source: p.reason for p in report.problems}
    assert "MB limit (POLICYBOT_MAX_DOCUMENT_MB)" in reasons["model-trust/prospectus.txt"]
    assert not any(c.source == "model-trust/prospectus.txt" for c in index_store.load(tmp_path / "index").clauses)


@pytest.mark.parametrize("damage", ["truncated vectors", "truncated passages", "bad clause line"])
def test_a_damaged_index_is_rebuilt_at_start_not_a_crash(corpus_copy: Path, tmp_path: Path, damage: str) -> None:
    make_service(corpus_copy, tmp_path / "idx", tmp_path / "log")
    if damage == "bad clause line":
        path = tmp_path / "idx" / index_store.CLAUSES
        lines = path.read_text("utf-8").splitlines()
        path.write_text("\n".join(lines[:3] + ['{"key": "x", "clause": {broken'] + lines[4:]) + "\n", "utf-8")
    else:
        path = tmp_path / "idx" / (index_store.VECTORS if damage == "truncated vectors" else index_store.PASSAGE_VECTORS)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    service = make_service(corpus_copy, tmp_path / "idx", tmp_path / "log")
    a = service.answer(Question("Can I add an ex-pupil on Facebook?", "next-steps-ed"))
    assert a.answered and a.passages
    assert len(index_store.load(tmp_path / "idx").clauses) > 300  # whole again
