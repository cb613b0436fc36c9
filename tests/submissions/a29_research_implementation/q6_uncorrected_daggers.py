# expect: {"q6": "below_full"}
# ruff: noqa: F821, F841, B007, E501  (a fragment: tf, np, scipy, ... come from the reference setup cell)
# Daggers from raw p-values, without Holm correction.
# %% [q6]
def latex_table(results, baseline, decimals=2, alpha=0.05):
    r"""A booktabs LaTeX table of mean ± sd over seeds (higher is better).

    results: {method: {dataset: [score per seed]}}; the methods in dict order, the datasets in the order of the
    first method. Layout, one item per line: "\begin{tabular}{l" + "c" * n_datasets + "}", "\toprule",
    "Method & d1 & d2 \\", "\midrule", one row per method "name & cell & cell \\", "\bottomrule",
    "\end{tabular}". A cell is "$m \pm s$" with `decimals` places (sd with ddof=1); the best mean of a column
    (at the displayed precision, ties all bold) is "$\mathbf{m \pm s}$"; "^{\dagger}" goes right before the
    closing "$" of a non-baseline cell whose paired t-test against the baseline on the same seeds is significant
    after Holm's correction over all non-baseline cells of the table.
    """
    methods = list(results)
    datasets = list(results[methods[0]])
    tests = [(m, d) for m in methods if m != baseline for d in datasets]
    pvals = [scipy.stats.ttest_rel(results[m][d], results[baseline][d]).pvalue for m, d in tests]
    reject = dict(zip(tests, [p < alpha for p in pvals], strict=True)) if tests else {}
    shown = {(m, d): (round(float(np.mean(results[m][d])), decimals),
                      round(float(np.std(results[m][d], ddof=1)), decimals)) for m in methods for d in datasets}
    lines = ["\\begin{tabular}{l" + "c" * len(datasets) + "}", "\\toprule",
             "Method & " + " & ".join(datasets) + " \\\\", "\\midrule"]
    for m in methods:
        cells = []
        for d in datasets:
            mean, sd = shown[(m, d)]
            body = f"{mean:.{decimals}f} \\pm {sd:.{decimals}f}"
            if mean == max(shown[(k, d)][0] for k in methods):
                body = f"\\mathbf{{{body}}}"
            if reject.get((m, d)):
                body += "^{\\dagger}"
            cells.append(f"${body}$")
        lines.append(f"{m} & " + " & ".join(cells) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(lines) + "\n"


def make_bibtex(entries):
    """BibTeX text for a list of references.

    entries: [{"key", "type" ("article" | "inproceedings"), "title", "authors": [names], "year": int, "venue"}].
    One @type{key, ...} per entry with fields author (names joined by " and "),
    title (wrapped in an extra pair of braces to keep its capitals), year, and journal (article) or booktitle
    (inproceedings). LaTeX special characters in titles and venues (& % $ # _) are escaped with a backslash.
    """
    def esc(text):
        return re.sub(r"([&%$#_])", r"\\\1", str(text))

    out = []
    for e in entries:
        venue_field = "journal" if e["type"] == "article" else "booktitle"
        out.append(f"@{e['type']}{{{e['key']},\n"
                   f"  author = {{{' and '.join(e['authors'])}}},\n"
                   f"  title = {{{{{esc(e['title'])}}}}},\n"
                   f"  {venue_field} = {{{esc(e['venue'])}}},\n"
                   f"  year = {{{int(e['year'])}}}\n}}\n")
    return "\n".join(out)


def check_citations(tex, bib):
    r"""Cross-check a manuscript's citations with its bibliography.

    Keys are read from \cite, \citep, \citet (optional [..] arguments, several keys separated by commas);
    entries from the BibTeX text. Returns {"missing": sorted keys cited but not defined, "unused": sorted keys
    defined but never cited}.
    """
    cited = set()
    for group in re.findall(r"\\cite[pt]?\*?(?:\[[^\]]*\]){0,2}\{([^}]*)\}", tex):
        cited.update(k.strip() for k in group.split(",") if k.strip())
    defined = set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", bib))
    return {"missing": sorted(cited - defined), "unused": sorted(defined - cited)}


def anonymity_issues(text, authors):
    """What would de-anonymise a double-blind submission: a sorted list of [kind, matched text] pairs.

    kinds: "author" (an author's full name or surname as a whole word, case-sensitive), "email"
    (name@domain.tld), "url" (http:// or https:// up to the next whitespace, or www. likewise; a trailing
    ".,;)" is not part of it), "self_citation" ("our previous work", "our prior work", "our earlier work",
    "our recent work", any case). An email's domain is not reported again as a URL.
    """
    issues = []
    for m in re.finditer(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text):
        issues.append(["email", m.group(0)])
    for m in re.finditer(r"(?:https?://|www\.)\S+", text):
        issues.append(["url", m.group(0).rstrip(".,;)")])
    for name in authors:
        for candidate in {name, name.split()[-1]}:
            for m in re.finditer(r"(?<!\w)" + re.escape(candidate) + r"(?!\w)", text):
                issues.append(["author", m.group(0)])
    for m in re.finditer(r"\bour\s+(?:previous|prior|earlier|recent)\s+work\b", text, flags=re.IGNORECASE):
        issues.append(["self_citation", m.group(0)])
    return sorted(issues)
