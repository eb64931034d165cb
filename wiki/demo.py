"""Demo content: a small workshop space, written for this project.

It exercises what the wiki is for: a workshop page with an agenda, sessions
as child pages, background text folded into expandable sections, a follow-up
page, English and French text. Each page says its language: the French
session's page is in French (``fr``), the others in English with a French
paragraph or two. Under the Templates page (docs/templates.md), a workshop
template of the same shape, in English and in French, each with its session
pages and its follow-up page.
"""

from . import services
from .extensions import db
from .plugins import hook
from .text import slugify

WORKSHOP = "Soil Carbon Monitoring Workshop 2026"
SESSION_2 = "Session 2 - Télédétection et plan d'échantillonnage"
TEMPLATES = "Templates"
WORKSHOP_TEMPLATE = "Workshop page"
ATELIER_TEMPLATE = "Page d'atelier"
# The demo is in English but for these pages, whatever the wiki's default language.
FRENCH = {SESSION_2, ATELIER_TEMPLATE, *(f"{{{{parent}}}} – {name}" for name in
                                         ("Séance 1", "Séance 2", "Séance 3", "Suivi"))}
# Labels the templates give the pages made from them.
LABELS = {WORKSHOP_TEMPLATE: ["workshop"], ATELIER_TEMPLATE: ["atelier"]}

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

TEMPLATE_PAGES = [
    (TEMPLATES, None, """\
The pages under this one are **page templates**: "New page" offers them.
Each template's own child pages are created with a page made from it.
Write, review and change a template as any page; its first line
`<!-- description: … -->` is the description "New page" shows.

{{children}}
"""),
    (WORKSHOP_TEMPLATE, TEMPLATES, """\
<!-- description: A workshop: agenda of three sessions, background folded away,
     a page per session and a follow-up page. -->
**Dates to be confirmed, online.** One or two sentences on what the
workshop is about and who it is for.

## Agenda

| Session | Date | Time (CET) | Topic |
|---|---|---|---|
| 1 | Tuesday | 14:00–16:00 | The questions of the workshop |
| 2 | Wednesday | 14:00–16:00 | Methods and case studies |
| 3 | Thursday | 14:00–15:30 | Wrap-up and next steps |

## Sessions and topics

{{children}}

## Follow up

Questions that come up after the sessions go to the
[[{{title}} – Follow-up|follow-up page]].

??? "Background"
    Why this workshop, what earlier meetings of the community asked for,
    and the guiding questions of the sessions.

*Page started by {{author}} on {{date}}.*
"""),
    *[(f"{{{{parent}}}} – Session {n}", WORKSHOP_TEMPLATE, f"""\
**{day}, {time} CET.** Session {n} of [[{{{{parent}}}}]].

1. Welcome and the questions of the session (15 minutes)
2. Presentation of a case study (45 minutes)
3. Discussion in small groups (45 minutes)
4. Questions (15 minutes)

Notes from the discussion are kept on the [[{{{{parent}}}} – Follow-up]] page.
""") for n, day, time in ((1, "Tuesday", "14:00–16:00"), (2, "Wednesday", "14:00–16:00"),
                          (3, "Thursday", "14:00–15:30"))],
    ("{{parent}} – Follow-up", WORKSHOP_TEMPLATE, """\
Drop your questions and suggestions in the comments below. The organisers
answer them here and fold the answers into the session pages of
[[{{parent}}]].

## Open questions

- The first question asked after the sessions
"""),
    (ATELIER_TEMPLATE, TEMPLATES, """\
<!-- description: Un atelier : programme de trois séances, contexte replié,
     une page par séance et une page de suivi. -->
**Dates à confirmer, en ligne.** Une ou deux phrases sur le sujet de
l'atelier et sur les personnes à qui il s'adresse.

## Programme

| Séance | Date | Heure (CET) | Sujet |
|---|---|---|---|
| 1 | Mardi | 14h00–16h00 | Les questions de l'atelier |
| 2 | Mercredi | 14h00–16h00 | Méthodes et études de cas |
| 3 | Jeudi | 14h00–15h30 | Synthèse et prochaines étapes |

## Séances et sujets

{{children}}

## Suivi

Les questions qui viennent après les séances vont sur la
[[{{title}} – Suivi|page de suivi]].

??? "Contexte"
    Pourquoi cet atelier, ce que les rencontres précédentes de la
    communauté ont demandé, et les questions qui guident les séances.

*Page commencée par {{auteur}} le {{date}}.*
"""),
    *[(f"{{{{parent}}}} – Séance {n}", ATELIER_TEMPLATE, f"""\
**{day}, {time} CET.** Séance {n} de [[{{{{parent}}}}]].

1. Accueil et questions de la séance (15 minutes)
2. Présentation d'une étude de cas (45 minutes)
3. Discussion en petits groupes (45 minutes)
4. Questions et réponses (15 minutes)

Les notes de la discussion sont sur la page [[{{{{parent}}}} – Suivi]].
""") for n, day, time in ((1, "Mardi", "14h00–16h00"), (2, "Mercredi", "14h00–16h00"),
                          (3, "Jeudi", "14h00–15h30"))],
    ("{{parent}} – Suivi", ATELIER_TEMPLATE, """\
Déposez vos questions et vos suggestions dans les commentaires ci-dessous.
Les organisateurs y répondent ici et reportent les réponses dans les pages
des séances de [[{{parent}}]].

## Questions ouvertes

- La première question posée après les séances
"""),
]
PAGES += TEMPLATE_PAGES


def load_demo(user):
    """Create the demo pages (skipping any that exist); returns how many were created."""
    created, labelled = 0, {}
    for title, parent_title, body in PAGES:
        if services.find_page(slugify(title))[0] is not None:
            continue
        parent = services.find_page(slugify(parent_title))[0] if parent_title else None
        page = services.create_page(title, body, user, "Demo content", parent=parent,
                                    language="fr" if title in FRENCH else "en")
        created += 1
        if parent_title in LABELS:  # a template's pages keep its order (sessions, then the follow-up)
            siblings = [t for t, p, _body in TEMPLATE_PAGES if p == parent_title]
            page.position = siblings.index(title)
            db.session.commit()
        if title in LABELS:
            labelled[page] = LABELS[title]
    if labelled:  # None: no plugin keeps labels
        hook().set_pages_labels(labels=labelled, user=user)
    return created
