"""The speed benchmark's report: benchmarks/results/speed.md from the figures of every part."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.speed_common import DIM  # noqa: E402


def markdown(r: dict) -> str:
    env, ix = r["environment"], r["indexing"]
    lines = [
        "# Speed benchmark", "",
        f"Command: `{r['command']}`  ", f"Run: {r['started']}, {r['wall_s']:.0f} s wall; "
        f"{env['cpus']} CPUs ({env['cpu']}), torch {env['torch']} with {env['torch_threads']} threads, "
        f"numpy {env['numpy']}, Python {env['python']}; commit {env['git_commit']}"
        f"{' + uncommitted changes under bot/' if env['bot_dirty'] else ''}; seed {env['seed']}."
        + (" **Quick (smoke) run.**" if r["quick"] else ""), "",
        "## Warm query latency (k = 3, real question embedding in every query)", "",
        "| corpus | clauses | orgs | clauses per scope | ours p50 / p99 (ms) | peer p50 / p99 (ms) "
        "| speed-up p50 / p99 | queries timed | other processes' CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in r["corpora"]:
        t = c["timing"]
        sizes = c["scope_clauses"]
        size = str(sizes["min"]) if sizes["min"] == sizes["max"] else f"{sizes['min']}–{sizes['max']}"
        lines.append(f"| {c['label']} | {c['clauses']:,} | {c['orgs']} | {size} | "
                     f"{t['ours']['p50_ms']:.1f} / {t['ours']['p99_ms']:.1f} | "
                     f"{t['peer']['p50_ms']:.1f} / {t['peer']['p99_ms']:.1f} | "
                     f"{t['speedup_p50']:.2f}× / {t['speedup_p99']:.2f}× | {t['queries_timed']} | "
                     f"{_cores(t)} |")
    qe = r["query_embedding_only"]
    one = qe.get("one_thread_what_if")
    lines += ["", "Supplementary, the same loop with each question's embedding memoised (retrieval only, "
              "leaving out the encoder cost both sides share):", "",
              "| corpus | ours p50 / p99 (ms) | peer p50 / p99 (ms) | speed-up p50 / p99 | queries timed "
              "| other processes' CPU |", "|---|---:|---:|---:|---:|---:|"]
    for c in r["corpora"]:
        t = c["retrieval_only"]
        lines.append(f"| {c['label']} | {t['ours']['p50_ms']:.1f} / {t['ours']['p99_ms']:.1f} | "
                     f"{t['peer']['p50_ms']:.1f} / {t['peer']['p99_ms']:.1f} | "
                     f"{t['speedup_p50']:.2f}× / {t['speedup_p99']:.2f}× | {t['queries_timed']} | "
                     f"{_cores(t)} |")
    lines += ["", "Other processes' CPU: cores used by the rest of the machine during the loop (from /proc/stat); "
              "figures are clean when it is near 0.", "", f"Query embedding alone (SentenceTransformerEmbedder.encode of one question, paid by both "
              f"sides, torch default {qe['torch_threads']} threads): p50 {qe['p50_ms']:.1f} ms, "
              f"p99 {qe['p99_ms']:.1f} ms over {qe['n']} calls"
              + (f"; what-if with torch.set_num_threads(1), interleaved: p50 {one['p50_ms']:.1f} ms, "
                 f"p99 {one['p99_ms']:.1f} ms." if one else "."), "",
              "Peer: rank-bm25 BM25Okapi (lower-case \\w+ tokens) + brute-force numpy cosine over the same "
              "embedding rows, same convex fusion, top 3, same real query embedding, same scopes "
              "(checked row for row). Ours and the peer are interleaved query by query.",
              "Synthetic corpora: texts recombined from the seed corpus's sentences with seeded random "
              f"substitutions; **clause embeddings are random unit vectors** ({DIM}-d float32) — the dense "
              "dot product's cost does not depend on the values; question embeddings use the real model.", "",
              "## Targets (100k clauses, 2 cores)", "",
              "| corpus | p50 ≤ 30 ms | p99 ≤ 60 ms | ≥ 4× peer (p50) |", "|---|---|---|---|"]
    for c in r["corpora"]:
        if "targets" in c:
            tg = c["targets"]
            lines.append(f"| {c['label']} | {_ok(tg['p50'])} | {_ok(tg['p99'])} | {_ok(tg['speedup'])} |")
    emb = ix["embedding_throughput"]
    lines += ["", "## Indexing", "",
              f"* Clauses embedded while indexing: **{emb['clauses_per_s']:.0f} clauses/s** "
              f"({emb['texts']:,} seed-derived clause texts with their headings, as the product embeds them, mean {emb['mean_chars']:.0f} characters, batch "
              f"{emb['batch_size']}, model loaded; {emb['seconds']:.1f} s).",
              f"* Seed corpus index build, cold: {ix['seed_build_cold_s']:.1f} s ({ix['seed_clauses']} clauses, "
              f"{ix['seed_embedded_cold']} embedded; includes importing torch and loading the model).",
              f"* Seed corpus index build, warm (unchanged corpus, new embedder): {ix['seed_build_warm_s'] * 1000:.0f} ms "
              f"({ix['seed_embedded_warm']} embedded; model loaded: {ix['model_loaded_on_warm_build']}).", "",
              "## Scope build and memory", "",
              "Scope build: the first query of each organisation, with the question embedding stubbed out. "
              "Memory: resident set size of the process that served the corpus (the seed corpus in the main "
              "process; each synthetic layout in a child process of its own, so its figures are its own).", "",
              "| corpus | ours' scope build: p50 / max (total) | peer's: p50 / max (total) | RSS, model loaded "
              "| + corpus | + ours' scopes | + peer's scopes | process peak |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for c in r["corpora"]:
        w = c["warm_up"]
        o, p = w["ours_first_query"], w["peer_first_query"]
        model, before, after_o, after_p = (c.get("rss_model_loaded_kib"), w["rss_before_scopes_kib"],
                                           w["rss_after_ours_scopes_kib"], w["rss_after_peer_scopes_kib"])
        lines.append(f"| {c['label']} | {o['p50_ms']:.1f} / {o['max_ms']:.1f} ms ({o['total_s']:.1f} s) | "
                     f"{p['p50_ms']:.1f} / {p['max_ms']:.1f} ms ({p['total_s']:.1f} s) | {_mib(model)} | "
                     f"+{_mib(_sub(before, model))} | +{_mib(_sub(after_o, before))} → {_mib(after_o)} | "
                     f"+{_mib(_sub(after_p, after_o))} | {_mib(c.get('process_peak_rss_kib'))} |")
    lines += ["", f"Peak RSS (ru_maxrss, largest over the processes): **{_mib(r['peak_rss_kib'])}** "
              f"({r['peak_rss_kib']:,} KiB), with the peer's structures beside ours; the product alone holds "
              "the \"+ ours' scopes\" figure.", ""]
    alone = [c for c in r["corpora"] if c.get("ours_alone")]
    if alone:
        lines += ["## Ours alone: where a query's time goes, and a what-if", "",
                  "Ours without the peer in between, real encoder; each query split into the question "
                  "embedding and the rest (rewrite, speller, BM25, dense product, fusion, priors, top k). "
                  "Alternate blocks of 25 queries run the what-if: numpy's BLAS limited to one thread "
                  "(threadpoolctl), torch unchanged — **not the product as committed**; the first 3 queries "
                  "of each block are not counted.", "",
                  "| corpus | set-up | total p50 / p99 (ms) | question embedding p50 / p99 | rest p50 / p99 "
                  "| queries | other processes' CPU |", "|---|---|---:|---:|---:|---:|---:|"]
        for c in alone:
            for variant, name in (("product", "product"), ("blas_one_thread", "what-if: BLAS 1 thread")):
                v = c["ours_alone"].get(variant)
                if v:
                    lines.append(f"| {c['label']} | {name} | {v['total']['p50_ms']:.1f} / {v['total']['p99_ms']:.1f} | "
                                 f"{v['encode']['p50_ms']:.1f} / {v['encode']['p99_ms']:.1f} | "
                                 f"{v['rest']['p50_ms']:.1f} / {v['rest']['p99_ms']:.1f} | {v['total']['n']} | "
                                 f"{_cores(c['ours_alone'])} |")
        lines.append("")
    if r.get("profiles"):
        lines += ["## Where ours spends its time besides the encoder (cProfile, question embeddings memoised)", ""]
        for label, prof in r["profiles"].items():
            lines += [f"**{label}** — {prof['queries']} queries, {prof['total_ms_per_query']:.1f} ms/query "
                      "under the profiler.", "", "| function (by own time) | calls | own ms/query | share |",
                      "|---|---:|---:|---:|"]
            for row in prof["by_tottime"][:10]:
                lines.append(f"| `{row['function']}` | {row['calls']:,} | {row['tottime_ms_per_query']:.2f} | "
                             f"{row['tottime_share'] * 100:.0f}% |")
            lines += ["", "| function (cumulative) | cum ms/query |", "|---|---:|"]
            for row in prof["by_cumtime"][:14]:
                lines.append(f"| `{row['function']}` | {row['cumtime_ms_per_query']:.2f} |")
            lines.append("")
    if r.get("notes"):
        lines += ["## Notes", ""] + [f"* {n}" for n in r["notes"]] + [""]
    return "\n".join(lines)


def _ok(flag: bool) -> str:
    return "met" if flag else "**missed**"


def _cores(t: dict) -> str:
    v = t.get("other_processes_cpu_cores")
    return "n/a" if v is None else f"{v:.2f} cores"


def _sub(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a - b


def _mib(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:,.0f} MiB"
