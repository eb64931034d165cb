"""Demo content: a small workshop space, written for this project.

It exercises what the wiki is for: a workshop page with an agenda, sessions
as child pages, background text folded into expandable sections, a follow-up
page, English and French text. Each page says its language: the French
session's page is in French (``fr``), the others in English with a French
paragraph or two.
"""

from . import services
from .text import slugify

WORKSHOP = "Soil Carbon Monitoring Workshop 2026"
SESSION_2 = "Session 2 - Télédétection et plan d'échantillonnage"
# The demo is in English but for these pages, whatever the wiki's default language.
FRENCH = {SESSION_2}

PAGES = [
    ("About this community", None, """\
A community of practice is a group of people who share a concern and learn
to do it better by meeting regularly. Ours brings together people working in
development cooperation on **soil, land and climate**.

* We meet online for a workshop about twice a year.
* Workshop material stays here: agendas, slides, notes and the questions
  asked in the comments.
* Members can sign in to comment under their name and search past workshops.

Start with the [[Soil Carbon Monitoring Workshop 2026]].

## En français

La communauté réunit des professionnels de la coopération au développement
qui travaillent sur le lien entre les sols et le climat. Les ateliers se
tiennent en anglais et en français.
"""),
    (WORKSHOP, None, """\
**3–5 March 2026, online.** Three short sessions on measuring and reporting
soil organic carbon (SOC) in land management projects.

## Agenda

| Session | Date | Time (CET) | Topic |
|---|---|---|---|
| 1 | Tuesday 3 March | 14:00–16:00 | Why and how we measure SOC |
| 2 | Wednesday 4 March | 14:00–16:00 | Remote sensing and sampling design |
| 3 | Thursday 5 March | 14:00–15:30 | Farmer-led monitoring, wrap-up |

Session 2 is held in French with interpretation into English.

## Sessions and topics

{{children}}

## Follow up

Questions that come up after the sessions go to the
[[Workshop 2026 follow-up|follow-up page]].

??? "Background: why this workshop"
    Sustainable land management is increasingly seen as a climate action
    option, but projects struggle to show their effect on soil carbon at a
    cost they can afford. Earlier meetings of the community asked for a
    practical comparison of methods: laboratory analysis of soil samples,
    models fed with land-use data, and remote sensing.

    This workshop puts practitioners from three regions side by side, each
    presenting one approach and its costs.

??? "Contexte en français"
    La gestion durable des terres est de plus en plus reconnue comme une
    option pour le climat. Les projets ont pourtant du mal à démontrer leur
    effet sur le carbone organique du sol à un coût raisonnable. L'atelier
    compare les méthodes de suivi : analyses de laboratoire, modélisation et
    télédétection.
"""),
    ("Session 1 - Why and how we measure soil carbon", WORKSHOP, """\
**Tuesday 3 March, 14:00–16:00 CET.**

1. Welcome and the questions of this workshop (15 minutes)
2. Measuring SOC stocks: sampling depth, bulk density, and the equivalent
   soil mass method (45 minutes)
3. Models for reporting: when a Tier 2 approach is good enough (45 minutes)
4. Questions (15 minutes)

```text
SOC stock (t/ha) = SOC (%) × bulk density (g/cm³) × depth (cm)
```

Notes from the discussion are kept on the [[Workshop 2026 follow-up]] page.
"""),
    (SESSION_2, WORKSHOP, """\
**Mercredi 4 mars, 14h00–16h00 CET.** Session en français, interprétation
vers l'anglais.

1. Ce que la télédétection peut mesurer, et ce qu'elle ne peut pas mesurer
2. Stratifier un paysage pour réduire le nombre d'échantillons
3. Retour d'expérience : un événement de formation au Burkina Faso

> Monitoring soil carbon from space works best when it is combined with a
> few well-placed field samples.
"""),
    ("Session 3 - Farmer-led monitoring", WORKSHOP, """\
**Thursday 5 March, 14:00–15:30 CET.**

* Farmer-led monitoring with a phone app: what farmers record, what the
  project checks
* Wrap-up of the workshop and next steps for the community (15 minutes)
"""),
    ("Workshop 2026 follow-up", WORKSHOP, """\
Drop your questions and suggestions in the comments below. The organisers
answer them here and fold the answers into the session pages.

## Open questions

- Which sampling depth should a project report when the national inventory
  uses 30 cm?
- Quelle fréquence de suivi est réaliste pour un petit projet ?
"""),
]


def load_demo(user):
    """Create the demo pages (skipping any that exist); returns how many were created."""
    created = 0
    for title, parent_title, body in PAGES:
        if services.find_page(slugify(title))[0] is not None:
            continue
        parent = services.find_page(slugify(parent_title))[0] if parent_title else None
        services.create_page(title, body, user, "Demo content", parent=parent,
                             language="fr" if title in FRENCH else "en")
        created += 1
    return created
