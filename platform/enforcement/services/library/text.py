"""Chinese text as search tokens, the same for the stored entries and the queries, on both engines.

jieba (dictionary words, no HMM guessing, so a word is cut the same way in a query as in a text)
finds the words; every pair of adjacent Chinese characters is indexed too, so any two-character
query (粉尘, 煤气) finds every text that contains it, whatever jieba made of the surrounding words.
Runs of letters and runs of digits are whole tokens (gb, 15577). The last character of each Chinese run is
kept alone, so a one-character query is a prefix search that misses no occurrence.

A query needs all its pairs (and its letter/digit tokens); its jieba words of three or more
characters only add to the relevance of the texts where jieba found the same word.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass

from enforcement.domain.library import normalize

MAX_TOKEN = 32
MAX_QUERY_TOKENS = 24
# What PostgreSQL ranks on besides the title, number and issuer: the summary and the start of the
# text, where a standard states its scope and a law its purpose (about 100 characters).
RANK_TOKENS = 100
# PostgreSQL keeps positions up to 16,383 and 256 of them per lexeme; positions are only used for
# ranking, so a very long text is ranked on its beginning.
MAX_POSITION = 16_383

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Letters and digits apart: GB15577 and ＧＢ１５５７７ find GB 15577-2018.
_RUNS = re.compile(rf"[{_CJK}]+|[a-z]+|[0-9]+")

_jieba_lock = threading.Lock()
_tokenizer = None


def _jieba():  # type: ignore[no-untyped-def]
    """One jieba tokenizer per process, its dictionary loaded on first use (about a second)."""
    global _tokenizer
    if _tokenizer is None:
        with _jieba_lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def _words(run: str) -> list[str]:
    """jieba's words of three or more characters in a run of Chinese characters (the shorter ones
    are already pairs)."""
    return [w for w in _jieba().cut_for_search(run, HMM=False) if len(w) >= 3]


def tokens(text: str | None) -> list[str]:
    """The index tokens of a text, in order: per Chinese run its pairs, its last character and
    jieba's longer words; letters and digits as whole lower-case tokens."""
    out: list[str] = []
    for run in _RUNS.findall(normalize(text)):
        if run.isascii():
            out.append(run[:MAX_TOKEN])
            continue
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
        out.append(run[-1])
        if len(run) >= 3:
            out.extend(_words(run))
    return out


def document(text: str | None) -> str:
    """Tokens as one space-separated string: what the SQLite FTS5 columns hold."""
    return " ".join(tokens(text))


@dataclass(frozen=True)
class Query:
    """What a search needs: `required` tokens (all must occur), `prefixes` (a lone character, any
    token starting with it must occur) and `boost` words (counted for relevance, never required)."""

    required: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    boost: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.required or self.prefixes)


def query(text: str | None) -> Query:
    """The query's tokens, cut as the texts are; without repeats, at most MAX_QUERY_TOKENS."""
    required: dict[str, None] = {}
    prefixes: dict[str, None] = {}
    boost: dict[str, None] = {}
    for run in _RUNS.findall(normalize(text)):
        if run.isascii():
            required.setdefault(run[:MAX_TOKEN], None)
        elif len(run) == 1:
            prefixes.setdefault(run, None)
        else:
            for i in range(len(run) - 1):
                required.setdefault(run[i : i + 2], None)
            if len(run) >= 3:
                for word in _words(run):
                    boost.setdefault(word, None)
    return Query(
        tuple(list(required)[:MAX_QUERY_TOKENS]),
        tuple(list(prefixes)[:MAX_QUERY_TOKENS]),
        tuple(list(boost)[:MAX_QUERY_TOKENS]),
    )


# -- SQLite FTS5 ----------------------------------------------------------------------------------


def _fts_quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts5_match(q: Query) -> str:
    """An FTS5 MATCH expression: every required token and prefix, plus the boost words as an
    alternative to a token that is present anyway (so they rank without narrowing)."""
    parts = [_fts_quote(t) for t in q.required] + [_fts_quote(p) + " *" for p in q.prefixes]
    expression = " AND ".join(parts)
    if q.boost and parts:
        alternatives = " OR ".join([*(_fts_quote(w) for w in q.boost), parts[0]])
        expression = f"{expression} AND ({alternatives})"
    return expression


# -- PostgreSQL tsvector / tsquery ------------------------------------------------------------------


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(weighted: list[tuple[str | None, str]]) -> str:
    """A tsvector in PostgreSQL's input syntax from (text, weight) parts, e.g. title 'A', number
    and issuer 'B', summary and body 'D': positions run on across the parts. Written literally (not
    by to_tsvector) so that the server's parser and locale cannot cut Chinese differently."""
    return tsvector_of_tokens([(tokens(text), weight) for text, weight in weighted])


def tsvector_of_tokens(weighted: list[tuple[list[str], str]]) -> str:
    """tsvector_literal of parts already cut into tokens."""
    positions: dict[str, list[str]] = {}
    position = 0
    for part, weight in weighted:
        suffix = "" if weight == "D" else weight
        for token in part:
            position = min(position + 1, MAX_POSITION)
            places = positions.setdefault(token, [])
            if len(places) < 256:
                places.append(f"{position}{suffix}")
    return " ".join(f"{_lexeme(t)}:{','.join(p)}" for t, p in positions.items())


def ranking_of_tokens(title: list[str], meta: list[str], text: list[str]) -> str:
    """The small second tsvector PostgreSQL ranks on: the title (A), number and issuer (B) and the
    opening of the text (D, its first RANK_TOKENS tokens), at the same positions as in the full
    vector. Ranking unpacks this for each hit it ranks, not the full text's vector."""
    return tsvector_of_tokens([(title, "A"), (meta, "B"), (text[:RANK_TOKENS], "D")])


def tsquery_literal(q: Query) -> str:
    """A tsquery in PostgreSQL's input syntax, the same expression as fts5_match."""
    parts = [_lexeme(t) for t in q.required] + [_lexeme(p) + ":*" for p in q.prefixes]
    expression = " & ".join(parts)
    if q.boost and parts:
        alternatives = " | ".join([*(_lexeme(w) for w in q.boost), parts[0]])
        expression = f"{expression} & ({alternatives})"
    return expression
