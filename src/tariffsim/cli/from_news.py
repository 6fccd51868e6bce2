"""``tariffsim from-news``: read a news article, list what it says about trade policy, write a draft scenario."""

from __future__ import annotations

from pathlib import Path

import typer

from tariffsim.cli._common import friendly_errors, load_world, stdout

WORLD_HELP = ("World whose codes the draft uses: a data-set folder, a name under $TARIFFSIM_DATA (e.g. ossa2014), "
              "or 'demo'. Default: none (ISO3 country codes, GTAP sector codes).")


def from_news(
    ctx: typer.Context,
    article: Path = typer.Argument(..., exists=True, dir_okay=False, help="News article: plain text or HTML."),
    world: str = typer.Option(None, "--world", "-w", help=WORLD_HELP),
    out: Path = typer.Option(None, "--out", "-o", help="Write the draft scenario (TOML) here; default: print it."),
    json_file: str = typer.Option(None, "--json", help="Write the findings as JSON to this file ('-' for stdout)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out file (without it, an existing "
                               "draft, which may hold your edits, is refused)."),
) -> None:
    """Draft a scenario from a news article: countries, actions, products and rates, each with its sentence.

    An article with no trade-policy step is refused (nothing written): an empty draft would solve to the
    baseline and look like a finding. Numbers the article does not give are "TODO" placeholders: `tariffsim solve` refuses the draft until
    they are filled. Threats, announced (future) and suspended measures are written commented out.

    Example: [bold]tariffsim from-news story.txt --world ossa2014 --out draft.toml[/]
    """
    with friendly_errors(ctx):
        import json

        from rich.table import Table

        from tariffsim.errors import TariffsimError
        from tariffsim.news import draft_from_news
        from tariffsim.outputs import Outputs

        outputs = Outputs()
        json_path = outputs.file(None if json_file == "-" else json_file, "--json")
        out = outputs.file(out, "--out", example="draft.toml", overwrite=force)
        result = draft_from_news(article, load_world(world) if world else None, world)
        document = {"schema": "tariffsim.news_findings", "article": str(article),
                    "headline": result.findings.article.headline, "world": world,
                    "pair": list(result.findings.pair or ()), "items": result.items,
                    "draft": str(out) if out else None}
        if json_file == "-":
            stdout.print_json(json.dumps(document))
        else:
            table = Table(title=f"Found in {article.name}", title_justify="left", show_lines=True)
            for column in ("kind", "found", "code", "note", "sentence"):
                table.add_column(column, overflow="fold")
            for item in result.items:
                table.add_row(*(item[key] for key in ("kind", "found", "code", "note", "sentence")))
            stdout.print(table)
        if not result.findings.measures:
            raise TariffsimError(f"{article}: no trade-policy step found (no tariff move, cut, threat or trade "
                                 "agreement), so no draft is written: check that this is the article you meant")
        writers = {json_path: lambda path: path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n",
                                                           encoding="utf-8"),
                   out: lambda path: path.write_text(result.toml, encoding="utf-8")}
        for path in outputs.write({path: write for path, write in writers.items() if path is not None}):
            stdout.print(f"wrote {path}")
        if out is None and json_file != "-":
            stdout.print(result.toml, markup=False, highlight=False)
