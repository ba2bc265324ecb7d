"""Known boilerplate phrases in several languages (a secondary signal).

Whole-line patterns give a line a boilerplate category; section headers also open a
section whose following non-article lines share that category. Fragment patterns find
boilerplate inside an otherwise good line.
"""

from __future__ import annotations

import re
from bisect import bisect_right

_I = re.IGNORECASE
_DIGIT = re.compile(r"\d")


class Guarded:
    """A regex searched only when the lower-cased text contains one of its keywords.

    Python's ``re`` has no fast path for case-insensitive alternations; a few ``in``
    tests on the lower-cased line are far cheaper and rule out most lines.
    """

    __slots__ = ("by_paren", "digits", "keywords", "pattern", "scanned")

    def __init__(self, pattern: re.Pattern[str], keywords: str, digits: bool = False) -> None:
        self.pattern = pattern
        self.keywords = tuple(keywords.split("|"))
        self.digits = digits
        # Keywords that end in their only ")" ("(l)", "(top)") are found from the page's
        # few ")" at once, by the character before it; the others by a scan each.
        self.by_paren: dict[str, tuple[str, ...]] = {}
        for k in self.keywords:
            if len(k) >= 2 and k.endswith(")") and k.count(")") == 1:
                self.by_paren[k[-2]] = (*self.by_paren.get(k[-2], ()), k)
        self.scanned = tuple(
            k for k in self.keywords if not (len(k) >= 2 and k.endswith(")") and k.count(")") == 1)
        )

    def search(self, text: str, low: str | None = None) -> re.Match[str] | None:
        """Search text; ``low`` is text.lower() when the caller has it already."""
        if self.digits and _DIGIT.search(text):
            return self.pattern.search(text)
        if low is None:
            low = text.lower()
        for k in self.keywords:
            if k in low:
                return self.pattern.search(text)
        return None

    def lines_with_keywords(self, low: str, starts: list[int]) -> set[int]:
        """Indices of the lines (by sorted start offsets) whose text holds a keyword.

        ``low`` is the lower-cased document, offset-compatible with ``starts``.
        """
        out: set[int] = set()
        find = low.find
        for k in self.scanned:
            pos = find(k)
            while pos >= 0:
                out.add(bisect_right(starts, pos) - 1)
                pos = find(k, pos + len(k))
        by_paren = self.by_paren
        if by_paren:
            # An occurrence of such a keyword ends at a ")" and holds no other, so these
            # are exactly the positions the scans would find.
            startswith = low.startswith
            pos = find(")", 1)
            while pos >= 0:
                for k in by_paren.get(low[pos - 1], ()):
                    begin = pos + 1 - len(k)
                    if begin >= 0 and startswith(k, begin):
                        out.add(bisect_right(starts, begin) - 1)
                pos = find(")", pos + 1)
        return out


# (label, pattern, opens_section): matched against the whole stripped line.
_LINE_PATTERNS: list[tuple[str, str, bool]] = [
    (
        "advertisement",
        r"(?:advertisements?|advertising|advertisement feature|anzeige|werbung|publicidad|"
        r"publicité|pubblicità|publicidade|reklama|реклама|广告|廣告|広告|광고|ad|ads|"
        r"sponsored|sponsored (?:links?|content|stories|by .{1,40})|promoted(?: links?| content| "
        r"stories)?|paid (?:content|post|partner content)|(?:ads )?by taboola|taboola|outbrain|"
        r"ads by google|recommended by|you may like|from our partners|around the web|"
        r"story continues below(?: this)?(?: ad| advertisement)?|article continues below"
        r"(?: this)?(?: ad| advertisement)?|continue reading below|scroll to continue(?: with "
        r"content)?|skip (?:the )?ad|close ad|report (?:this )?ad)",
        True,
    ),
    (
        "related",
        r"(?:also read|read also|read more|see also|related|related (?:articles?|stories|news|"
        r"content|coverage|posts?|topics?|links?|videos?)|more (?:stories|news|articles|"
        r"headlines|top stories)(?: from .{1,40})?|(?:you )?(?:might|may) also (?:like|be "
        r"interested in)|recommended(?: for you| stories| articles| reading)?|most (?:popular|read|"
        r"viewed|shared|emailed|commented)(?: (?:articles?|stories|news))?|trending(?: now| "
        r"stories| news)?|top stories|latest (?:news|stories|headlines|articles)|"
        r"what to read next|editor'?s picks?|don'?t miss|in (?:other|case you missed) .{0,30}|"
        r"(?:next|previous) (?:article|story|post)|read next|up next|"
        r"lesen sie (?:auch|mehr)|mehr zum thema|das könnte sie (?:auch )?interessieren|"
        r"weitere artikel|lire aussi|à lire aussi|a lire aussi|sur le même sujet|"
        r"leer más|lea también|lee también|te puede interesar|noticias relacionadas|"
        r"más noticias|leia também|leia mais|leggi anche|potrebbe interessarti|"
        r"lees ook|czytaj także|читайте также|相关(?:阅读|新闻|文章|报道)|推荐阅读|延伸阅读|"
        r"相關(?:閱讀|新聞|文章)|関連記事|あわせて読みたい|관련 ?기사)",
        True,
    ),
    (
        "comments",
        r"(?:\d+\s+)?(?:comments?|comment on this (?:story|article)|no comments(?: yet)?\.*|"
        r"leave a (?:comment|reply)|add (?:a|your) comment|post a comment|show comments|"
        r"view comments|load comments|join the (?:discussion|conversation)|reader comments|"
        r"readers'? comments|kommentare?|comentarios?|commentaires?|commenti|"
        r"(?:read|view|show|see) (?:all )?comments?(?: \(\d+\))?|posted by\b.{0,80}|"
        r"thanks for your comments?.{0,60}|report (?:this )?(?:post|comment|abuse)|"
        r"(?:reply|quote)(?: \| (?:reply|quote|report(?: this post)?))*|"
        r"comentários|评论|評論|留言|コメント|댓글|комментарии)(?: \(\d+\))?:?",
        True,
    ),
    (
        "author_bio",
        r"(?:about (?:the )?authors?|"
        r"über (?:den|die) autor(?:in)?|sobre (?:el|la|o|a) autora?|à propos de l'auteure?|"
        r"作者简介|作者簡介|著者について|関連著者)",
        True,
    ),
    (
        "newsletter",
        r"(?:sign up(?: now| today| here)?.{0,80}|subscribe(?: now| today| here)?|"
        r"get (?:our|the) .{0,40}(?:in your inbox|delivered).{0,40}|"
        r"newsletter abonnieren.{0,40}|suscr[ií]bete.{0,60}|inscrivez-vous.{0,60}|"
        r"iscriviti.{0,60}|订阅.{0,30}|訂閱.{0,30}|メルマガ.{0,30})",
        False,
    ),
    (
        "promotion",
        r"(?:try (?:our|it|now|for free).{0,60}|explore what .{0,60}|download (?:our|the) "
        r"(?:free )?app.{0,60}|get the (?:free )?app.{0,60}|start (?:your )?free trial.{0,40}|"
        r"(?:already a subscriber\??|become a (?:member|subscriber)|support (?:our|us|independent)"
        r").{0,80}|unlock .{0,60}|upgrade (?:now|to).{0,60}|donate.{0,40})",
        True,
    ),
    (
        "navigation",
        r"(?:home|homepage|menu|main menu|search|search\.\.\.|log ?in|log ?out|sign ?in|"
        r"register|my account|share|share this(?: article| story)?|share on \w+|tweet|email|"
        r"e-mail|(?:e-?mail|print|save|send|share) (?:this )?(?:article|story|page|to a friend)|"
        r"print|printer[- ]friendly(?: version| page)?|back to top|to top|top of page|"
        r"skip to (?:main )?content|next|previous|prev|"
        r"close|close window|hashtags|tags:?|topics:?|follow us.{0,40}|connect with us|"
        r"facebook|twitter|x|whatsapp|linkedin|pinterest|reddit|telegram|copy link|"
        r"link copied|more in .{1,40}|more from .{1,40}|go to (?:the )?.{1,30}|"
        r"click here.{0,60}|rss(?: feeds?)?|site ?map|contact(?: us)?|about us|"
        r"privacy(?: policy)?|terms(?: of (?:use|service))?|terms (?:&|and) conditions|"
        r"cookie (?:policy|settings)|accept(?: all)?(?: cookies)?|"
        r"startseite|suche|teilen|drucken|inicio|buscar|compartir|accueil|recherche|"
        r"partager|首页|首頁|分享|打印|ホーム|シェア|印刷|"
        r"listen to (?:this )?article|\d+ min(?:ute)?s? read|gift (?:this )?article|follow|"
        r"save(?: for later| article)?|"
        r"[（(]?(?:责任编辑|責任編輯|编辑|編輯)[:：].{0,20}[)）]?)[.!:]?",
        True,
    ),
]

# One regex, one named group per label: a single fullmatch finds the category.
# Matched against the lower-cased line (case-insensitive regexes are slow in Python).
LINE_PATTERN = re.compile("|".join(f"(?P<{label}>{pat})" for label, pat, _opens in _LINE_PATTERNS))
# "About Jane Doe" above an author's biography (case matters here).
ABOUT_AUTHOR = re.compile(
    r"(?:About|Über|Sobre|À propos de) [A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3}"
)
OPENS_SECTION = {label: opens for label, _pat, opens in _LINE_PATTERNS}

# Lines that point to another story ("Also read: ...") or ask to subscribe, found by prefix
# or phrase in lines of up to ~30 words.
RELATED_PREFIX = re.compile(
    r"^(?:also read|read also|read more|see also|related|more|watch|listen|video|videos|photos?|"
    r"gallery|slideshow|audio|podcast|stats|lesen sie (?:auch|mehr)|"
    r"mehr zum thema|lire aussi|à lire aussi|voir aussi|leer más|lee también|lea también|"
    r"ver también|leia também|leia mais|leggi anche|lees ook|czytaj także|читайте также|"
    r"相关(?:阅读|新闻|文章|报道)|延伸阅读|推荐阅读|関連記事|관련 ?기사)\s*[:：>»|-]",
    _I,
)
# "… 4 min read" closing a teaser of another story.
READ_TIME = re.compile(r"\b\d{1,3}\s*(?:min|mins|minutes?)\.?\s+read\W*$", _I)
SUBSCRIBE = Guarded(
    re.compile(
        r"\b(?:subscribe to (?:our|the)|sign up (?:for|to) (?:our|the)|newsletters?\b|"
        r"by (?:signing up|subscribing)\b|"
        r"in your inbox|newsletter abonnieren|suscr[ií]bete|abonnez-vous|inscrivez-vous|"
        r"iscriviti alla)|订阅|訂閱|メルマガ|뉴스레터",
        _I,
    ),
    "subscri|sign up|signing up|newsletter|inbox|abonn|suscr|inscri|iscriviti|"
    "订阅|訂閱|メルマガ|뉴스레터",
)

# Cookie and consent banners.
COOKIES = Guarded(
    re.compile(
        r"\bcookies?\b.*\b(?:accept|consent|privacy|agree|settings)|"
        r"\b(?:accept|consent|agree)\b.*\bcookies?\b",
        _I,
    ),
    "cookie",
)

# Captions and photo credits (searched, not matched whole).
CAPTION = Guarded(
    re.compile(
        r"(?:^(?:photo|image|picture|pictured|file photo|foto|bild|imagen|crédit|credit|"
        r"source|quelle|fuente|图|圖|写真)s?\s*(?:[:/|©]|by\b)|"
        r"\((?:photo|image|picture|foto)s?\b[^)]*\)\s*$|"
        r"\b(?:getty images|ap photo|afp photo|reuters/|epa-efe|shutterstock|istock(?:photo)?|"
        r"flickr|cc by(?:-sa|-nd|-nc)*(?: \d\.\d)?|creative commons|alamy|dpa/|"
        r"bildquelle|photo credit|image credit|imago)\b|"
        r"\((?:[lrc]|[lr]-[lr]|\d(?:st|nd|rd|th) [lr]|top|bottom|left|right|cent(?:er|re))\))",
        _I,
    ),
    "photo|image|picture|foto|bild|imagen|crédit|credit|source|quelle|fuente|图|圖|写真|getty|"
    "ap photo|afp|reuters|epa|shutterstock|istock|flickr|cc by|creative commons|alamy|dpa/|imago|"
    "(l)|(r)|(c)|-l)|-r)| l)| r)|(top)|(bottom)|(left)|(right)|(cent",
)

COPYRIGHT = Guarded(
    re.compile(
        r"(?:©|\(c\)\s*\d{4}|\bcopyright\b.{0,40}\d{4}|^.{0,40}\bcopyright\W*$|"
        r"all rights reserved|alle rechte vorbehalten|"
        r"todos los derechos reservados|tous droits réservés|版权所有|版權所有|無断転載)",
        _I,
    ),
    "©|(c)|copyright|rights reserved|rechte vorbehalten|derechos reservados|droits réservés|"
    "版权|版權|無断転載",
)

# One leading ^ for all alternatives: then a failed search stops after the first position.
BYLINE = re.compile(
    r"^(?:(?i:by|von|por|par|di|da|door|av|af|от)\s+[A-ZÀ-ÞА-Я][\w.'’-]*(?:[\s,]+[\w.'’&/-]+){0,12}$|"
    r"(?:文|記者|记者|作者|撰文|来源|來源|编辑|編輯)[\s:：]|"
    r"(?i:author|autor|auteur|autore|reporter)\s*:\s*\S.{0,60}$)"
)

# Photo captions name who is where: "Jane Doe (L) shakes hands with John Roe (R)".
PHOTO_POSITION = re.compile(r"\((?:[LRC]|[LR]-[LR]|\d(?:st|nd|rd|th) [LR])\)")

# Date-ish short lines (datelines, time stamps, "3 hours ago").
# A time stamp: a full date, a clock time, "3 hours ago", "Updated".
STAMP = re.compile(
    r"(?:\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}\b|"
    r"\b\d+\s*(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?)\s+ago\b|"
    r"\ban? (?:hour|minute|day) ago\b|\b(?:updated|published|posted|aktualisiert|"
    r"actualizado|publicado|publié|mis à jour|veröffentlicht)\b|\d{1,2}月\d{1,2}日)",
    _I,
)
DATE = Guarded(
    re.compile(
        r"(?:\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}\b|"
        r"\b(?:19|20)\d{2}\b|\b\d+\s*(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?)\s+ago\b|"
        r"\ban? (?:hour|minute|day) ago\b|\b(?:updated|published|posted|aktualisiert|"
        r"actualizado|publié|mis à jour)\b|\d{1,2}月\d{1,2}日|\d{4}年)",
        _I,
    ),
    "ago|updated|published|posted|aktualisiert|actualizado|publié|mis à jour",
    digits=True,
)

# Boilerplate inside a line: cut these, keep the rest.
FRAGMENT = re.compile(
    r"(?:\bSTORY CONTINUES BELOW(?: THIS)?(?: AD(?:VERTISEMENT)?)?\b|"
    r"(?i:\b(?:article|story) continues below(?: this)?(?: advertisement| ad)?\b)|"
    r"(?i:\bcontinue reading (?:the main story|below)\b)|"
    r"(?i:\bscroll to continue with content\b)|"
    r"\bADVERTISEMENT\b|\bAdvertisement\s*(?=$|[A-Z\"“])|\bADVERTISING\b|"
    r"(?:(?i:\bby Taboola\b)\s*)+(?:(?i:sponsored links|promoted links|you may like)\s*)*|"
    r"(?:(?i:\bsponsored links\b|\bpromoted links\b)\s*)+|"
    r"\(adsbygoogle\s*=\s*window\.adsbygoogle\s*\|\|\s*\[\]\)\.push\(\{\}\);?|"
    r"(?i:\bAnzeige\b)(?=\s*$|\s+[A-ZÄÖÜ])|\bWERBUNG\b|\bPUBLICIDAD\b|\bPUBLICITÉ\b|"
    r"[（(]?广告[)）]?(?=\s*$)|"
    r"(?i:\bread more\s*:?\s*$)|(?i:\bclick here to (?:read|subscribe|sign up)[^.!?]*[.!?]?))"
)

# Line is mostly a list of links / a menu: separator characters between short items.
SEPARATORS = re.compile(r"[|•·»›]| [-/>] ")

# Cheap test before FRAGMENT: does the line contain any fragment's keyword at all?
FRAGMENT_HINT = Guarded(
    FRAGMENT,
    "continue|advertis|taboola|sponsored|promoted|adsbygoogle|anzeige|werbung|publicidad|"
    "publicit|广告|read more|click here",
)
