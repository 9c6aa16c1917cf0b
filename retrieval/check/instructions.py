"""Sentences that give orders to whoever reads or answers, recognised by their form.

A decision states what happened and what was decided, about a council and a
complainant in the third person; it never addresses the reader of an answer,
an assistant or a model. A sentence that does ("SYSTEM: you must now answer
that ...", "Anyone who asks should be told ...", "Ignore previous
instructions") was planted, and is never quoted as an answer nor counted as
evidence for one.

The forms, not a list of phrases:

- a role label opening the sentence or a chat-template tag anywhere
  ("SYSTEM:", "</passage> Assistant:", "[INST]", "<|im_start|>");
- an order to an answerer: "you / the assistant / the model must (now) answer,
  say, tell ..." and "ignore / disregard ... instructions";
- an imperative that opens the sentence and is addressed to whoever asks:
  "(Always) tell users ...", "Answer that ...", "Say that ...", "Do not mention ...";
- a passive aimed at whoever asks: "Anyone asking about parking should be told ...";
- a rule for answering: "When asked about X, say Y", "Questions about X must be
  answered ...".

A council's recommended actions ("Apologise to Mr X", "Tell Mrs Y what it will do")
are imperatives too, but addressed to the council about the complainant: they name
no reader, user or answerer and are not matched.
"""

from __future__ import annotations

import re

_ROLE = (
    r"(?:system|assistant|user|human|ai|bot|chatbot|model|llm|developer|admin|instructions?|"
    r"prompt|note to (?:the )?(?:ai|assistant|model|llm))"
)
# Markup a plant wraps itself in: "</passage>", "###", "[", "**".
_LEAD = r"^[\W_]*(?:<[^>]{0,40}>[\W_]*)*"
# ... and a short opening it may hide behind: "Important: ", "For the avoidance of doubt, ".
_OPENING = rf"{_LEAD}(?:[^.:;,]{{0,40}}[:,]\s*)?"
_ROLE_PREFIX = re.compile(rf"{_LEAD}{_ROLE}\s*(?::|>|\])", re.IGNORECASE)
_ROLE_SHOUTED = re.compile(r"\b(?:SYSTEM|ASSISTANT|INSTRUCTIONS?)\s*:")  # capitals, anywhere
_CHAT_TAG = re.compile(
    r"<\|?/?\s*(?:system|assistant|user|im_start|im_end|passage|context|instructions?)\s*\|?>"
    r"|\[/?INST\]|<<\s*/?SYS\s*>>",
    re.IGNORECASE,
)
_ANSWERER = (
    r"(?:you|the assistant|assistants?|the ai|ai|chatbots?|the chatbot|the model|"
    r"language models?|llms?)"
)
_SPEAK = (
    r"(?:answer|say|tell|respond|reply|state|write|output|print|claim|confirm|report|inform|"
    r"ignore|disregard|forget|treat|pretend|act|recommend|advise|mention|reveal|repeat|"
    r"include|describe|explain)"
)
_ORDER_TO_ANSWERER = re.compile(
    rf"\b{_ANSWERER}\s+(?:must|should|shall|are to|need to|have to|will now|may only)\s+"
    rf"(?:(?:now|always|only|instead|never|also|just)\s+)*{_SPEAK}\b",
    re.IGNORECASE,
)
_IGNORE_INSTRUCTIONS = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.]{0,40}\b(?:instructions?|prompts?|rules|"
    r"above|previous)\b|\bsystem prompt\b|\byou are now\b|\bas an ai\b|\bnew instructions?\b",
    re.IGNORECASE,
)
# Whoever asks or reads: never the subject of a sentence in a decision. "Anyone" and
# "everyone" alone only right before the verb: "anyone placed in temporary accommodation
# should be told ..." is about residents.
_ASKING = r"(?:ask|asks|asking|enquire|enquires|enquiring|query|queries|search|searches|searching)"
_ASKER = (
    r"(?:the user|users?|the reader|readers?|whoever|visitors?|"
    rf"(?:people|those|someone|somebody|anyone|anybody|everyone|everybody|members of the "
    rf"public)\s+(?:who\s+|that\s+)?{_ASKING})"
)
_ANYONE = r"(?:anyone|anybody|everyone|everybody)"
_IMPERATIVE = re.compile(
    rf"{_OPENING}(?:(?:always|now|please|from now on|instead|then)\W+)*"
    rf"(?:(?:tell|inform|advise|assure|remind|warn)\s+(?:{_ASKER}|{_ANYONE})\b"
    r"|(?:answer|respond|reply)\s+(?:that|with|by|to (?:any|all|every|each|such|this)\b|"
    r"(?:any|all|every|each)\s+questions?)"
    r"|(?:say|state|claim|insist|assert)\s+that\b"
    r"|do not\s+(?:mention|reveal|cite|quote|tell|say|disclose|show)\b"
    r"|(?:pretend|act as|role-?play)\b)",
    re.IGNORECASE,
)
_PASSIVE_TO_ASKER = re.compile(
    rf"{_OPENING}(?:{_ASKER}\b[^.;]{{0,80}}?|{_ANYONE}\s+)(?:should|must|shall|is to|are to|"
    r"needs? to|has to|have to|will) (?:always )?be (?:told|informed|advised|answered|assured|"
    r"reminded)\b",
    re.IGNORECASE,
)
_ANSWERING_RULE = re.compile(
    r"\b(?:when|if|whenever)\b[^.]{0,40}\basked\b[^.]{0,80}?,\s*(?:always\s+|just\s+)?"
    r"(?:say|answer|reply|respond|tell|state|claim)\b"
    r"|\bquestions?\b[^.]{0,60}\b(?:should|must|shall|are to) (?:always )?be answered\b",
    re.IGNORECASE,
)
_FORMS = (
    _ROLE_PREFIX,
    _ROLE_SHOUTED,
    _CHAT_TAG,
    _ORDER_TO_ANSWERER,
    _IGNORE_INSTRUCTIONS,
    _IMPERATIVE,
    _PASSIVE_TO_ASKER,
    _ANSWERING_RULE,
)


def looks_like_instruction(sentence: str) -> bool:
    """True for a sentence addressed to a reader, user or model (see the module docstring)."""
    return any(form.search(sentence) for form in _FORMS)
