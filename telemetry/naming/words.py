"""Shipped vocabulary of the naming convention: product-analytics verbs, objects, abbreviations.

Plain data, no Django import. The convention copies these into its own fields, so an organisation
can edit them without touching code; the tables here are only the defaults.
"""


def _split(text: str) -> list[str]:
    return text.split()


# Verbs whose past participle is not base + "ed" (or whose spelling doubles a consonant).
# Event names use the participle ("Invite Sent", "Plan Chosen"), so that is the "past" form.
IRREGULAR_PAST = {
    "begin": "begun",
    "bid": "bid",
    "buy": "bought",
    "cancel": "cancelled",
    "chat": "chatted",
    "choose": "chosen",
    "commit": "committed",
    "crop": "cropped",
    "cut": "cut",
    "defer": "deferred",
    "drag": "dragged",
    "draw": "drawn",
    "drop": "dropped",
    "embed": "embedded",
    "find": "found",
    "flag": "flagged",
    "flip": "flipped",
    "forget": "forgotten",
    "freeze": "frozen",
    "give": "given",
    "hide": "hidden",
    "keep": "kept",
    "leave": "left",
    "log in": "logged in",
    "log out": "logged out",
    "log": "logged",
    "lose": "lost",
    "make": "made",
    "overwrite": "overwritten",
    "pay": "paid",
    "permit": "permitted",
    "pin": "pinned",
    "plan": "planned",
    "put": "put",
    "quit": "quit",
    "read": "read",
    "refer": "referred",
    "rerun": "rerun",
    "reset": "reset",
    "run": "run",
    "scan": "scanned",
    "see": "seen",
    "sell": "sold",
    "send": "sent",
    "set": "set",
    "set up": "set up",
    "shut down": "shut down",
    "ship": "shipped",
    "shop": "shopped",
    "show": "shown",
    "shut": "shut",
    "skip": "skipped",
    "spend": "spent",
    "split": "split",
    "star": "starred",
    "stop": "stopped",
    "submit": "submitted",
    "swap": "swapped",
    "tag": "tagged",
    "take": "taken",
    "tap": "tapped",
    "top up": "topped up",
    "transfer": "transferred",
    "undo": "undone",
    "unpin": "unpinned",
    "unstar": "unstarred",
    "unzip": "unzipped",
    "upset": "upset",
    "win": "won",
    "withdraw": "withdrawn",
    "write": "written",
    "zip": "zipped",
}

# Simple past forms that differ from the participle: recognised, but the participle is preferred.
PRETERITES = {
    "began": "begin",
    "chose": "choose",
    "drew": "draw",
    "forgot": "forget",
    "froze": "freeze",
    "gave": "give",
    "hid": "hide",
    "ran": "run",
    "reran": "rerun",
    "saw": "see",
    "showed": "show",
    "took": "take",
    "undid": "undo",
    "withdrew": "withdraw",
    "wrote": "write",
    "overwrote": "overwrite",
}

# Other accepted spellings of a past form (American and British).
PAST_VARIANTS = {
    "canceled": "cancel",
    "labelled": "label",
    "modelled": "model",
    "travelled": "travel",
    "favourited": "favourite",
    "unfavourited": "unfavourite",
}

REGULAR_VERBS = _split(
    """
abandon accept access acknowledge activate add allow answer apply approve archive assign attach
attempt attribute authenticate autofill authorize authorise background block book bookmark bounce browse
buffer calculate call capture change charge check claim clean clear click clone close collapse collect
comment compare complain complete compose configure confirm connect consent contact continue convert copy
crash create crop customize customise deactivate decline decrypt delay delete deliver deny deploy deselect
detect dial disable disconnect dismiss display dispute donate download downgrade drag duplicate
edit enable encrypt end enrich enroll enter evaluate exit expand expire export fail favorite favourite fetch
filter finish flag focus follow foreground fulfill generate grant highlight hover ignore import impress initialize initialise
install interact interrupt invite invoice join label launch like link load localize lock mark
maximize mention merge message migrate minimize miss moderate modify move mute navigate notify offer
onboard open opt order pair paste pause perform personalize play post prefetch preview press print process prompt
publish purchase qualify query queue rate react reach receive recommend record recover redeem
redirect refresh refund register reject release reload remind remove rename render renew reorder
repeat replace reply report request reschedule resize resolve restart restore resume retry return
reveal review revoke rotate save scroll search seek select serialize share sign snooze sort start stream
subscribe succeed suggest suspend swipe switch sync test toggle track translate trigger unarchive
unblock unpair unfavorite unfavourite unfollow uninstall unlike unlock unmute unpublish unsave unselect
unshare unsubscribe update upgrade upload use validate verify view visit vote watch zoom
"""
)

# Phrasal verbs are kept whole: "Signed Up", "Logged In".
PHRASAL_VERBS = (
    "sign up",
    "sign in",
    "sign out",
    "opt in",
    "opt out",
    "check in",
    "check out",
    "set up",
    "shut down",
)

# Actions that make sense without an object ("Signed In", "Unsubscribed").
OBJECTLESS_ACTIONS = frozenset(
    {
        "sign up",
        "sign in",
        "sign out",
        "log in",
        "log out",
        "opt in",
        "opt out",
        "check in",
        "subscribe",
        "unsubscribe",
        "register",
        "onboard",
    }
)

OBJECTS = _split(
    """
account achievement action ad address agreement alert alias answer api app application article
attachment audio avatar badge balance banner basket billing bio block blog board booking bookmark
branch browser budget bug build bundle button calendar call campaign card cart catalog catalogue
category channel chapter chart chat checkout city code cohort collection column comment community
company contact content contract conversation conversion cookie country coupon course credential
credit currency customer dashboard dispute dataset date deal delivery deposit device dialog discount
document domain download draft email episode error event experiment export favorite feature feed
feedback field file filter flag flight folder follower form friend funnel game gift goal group
guide help history home homepage hotel image import inbox info insight install integration
inventory invitation invite invoice issue item job key keyword label language leaderboard lesson
level library license like link list listing loan location login logout map match media meeting
member membership menu merchant message metric modal movie newsletter note notification offer
onboarding option order organisation organization package page password payment permission phone
photo picture pipeline plan playback player playlist podcast point popup portfolio post preference
price pricing product profile project promo promotion prompt purchase push qr query question quote
rating reaction receipt recipe recommendation record referral refund reminder report repository
request reservation result review reward ride role room row schedule score screen search section
segment seller session setting settings shipment shipping shortcut sidebar signup signin signout
site size sku slide snippet song source step sticker stock store story streak subscription
suggestion survey tab table tag task team template theme thread ticket tier tip toast token
toolbar tooltip topic tour trade transaction trial trip tutorial update upload url user variant
vendor video voucher wallet watchlist webhook webinar website widget window wishlist
workspace workout
"""
)

ABBREVIATIONS = {
    "acct": "account",
    "addr": "address",
    "btn": "button",
    "cfg": "config",
    "desc": "description",
    "dlg": "dialog",
    "img": "image",
    "msg": "message",
    "notif": "notification",
    "notifs": "notifications",
    "pref": "preference",
    "prefs": "preferences",
    "pwd": "password",
    "qty": "quantity",
    "txn": "transaction",
    "usr": "user",
}

# Each group means one thing; the first spelling is the canonical one.
SYNONYMS = (
    ("sign up", "signup", "register", "registration"),
    ("sign in", "signin", "log in", "login"),
    ("sign out", "signout", "log out", "logout"),
    ("purchase", "order complete", "checkout complete", "buy"),
    ("cart", "basket", "bag"),
    ("product", "item"),
    ("view", "visit", "see"),
    ("click", "tap", "press"),
    ("coupon", "voucher", "promo code", "discount code"),
    ("wishlist", "wish list"),
    ("email", "e mail"),
    ("start", "begin"),
    ("delete", "remove"),
    ("app", "application"),
)

# Written in capitals in Title Case; everywhere else they are ordinary lowercase words.
ACRONYMS = {
    "ai": "AI",
    "api": "API",
    "b2b": "B2B",
    "crm": "CRM",
    "gdpr": "GDPR",
    "html": "HTML",
    "ip": "IP",
    "json": "JSON",
    "kyc": "KYC",
    "seo": "SEO",
    "sso": "SSO",
    "tv": "TV",
    "utm": "UTM",
    "ux": "UX",
    "csv": "CSV",
    "cta": "CTA",
    "faq": "FAQ",
    "id": "ID",
    "http": "HTTP",
    "https": "HTTPS",
    "ios": "iOS",
    "nps": "NPS",
    "otp": "OTP",
    "pdf": "PDF",
    "sdk": "SDK",
    "qr": "QR",
    "sku": "SKU",
    "sms": "SMS",
    "ui": "UI",
    "url": "URL",
    "vpn": "VPN",
}

# Lowercase inside Title Case names when they start a qualifier ("Product Added to Wishlist").
SMALL_WORDS = frozenset(
    _split("a an and as at by for from in into of on onto or over the to via with within without")
)

# Words ending in -ed that are not verbs, so they are never guessed to be an unknown action.
NOT_VERBS_ED = frozenset(
    _split("bed bred feed feeds hundred need red seed shed shred sled speed breed greed weed bleed")
)

# Words that say nothing at the end of an event's name ("Ad Click Event"). At the start they
# can be a real object ("Event Created" in a calendar product), so they stay there.
REDUNDANT_WORDS = frozenset({"event", "events", "evt"})

# A form of "be" or "have" just before the past participle adds nothing either ("Widget Was Added").
AUXILIARIES = frozenset({"was", "were", "is", "are", "been", "has", "have", "had"})

# A present-tense verb just before one of these names the control, not what happened
# ("rename_button", "add_tab_button"); just after one of the others it names an item
# ("menu_close", "save_prompt_create"). The linter then says so instead of guessing.
CONTROLS_NAMED_BEFORE = frozenset({"button", "buttons", "btn", "icon", "cta", "checkbox"})
CONTROLS_NAMED_AFTER = frozenset({"menu", "prompt"})

# Words after which moving the others around changes the meaning ("request_no_matching_logins").
NEGATIONS = frozenset({"no", "not", "never", "without", "dont", "non"})

# Nouns that name an event themselves: a name ending in one has no action to reorder
# ("sync_card_impression", "save_to_pdf_failure").
EVENT_NOUNS = frozenset(
    _split(
        """
impression impressions dismissal dismissals failure failures success error errors completion
interaction interactions invocation conversion conversions expiration resolution creation deletion
submission exposure problem problems
"""
    )
)

# A number before one of these is part of what happened, not a value to send as a property
# ("Video Played 50 Percent", "Trial Ended 14 Days"): it stays in the name.
UNITS = frozenset(
    _split(
        "percent pct percentage seconds second secs sec minutes minute mins min hours hour days day"
    )
    + _split("weeks week months month years year times")
)
