"""A generated wiki for benchmarks: workshop-like pages in English and French,
with labels and folded sections, and comment threads. Deterministic (seeded)."""

import random


def _words(text):
    return text.split()


EN = _words("""
soil organic carbon monitoring land management climate benefit farmer field sample
sampling depth bulk density stock change remote sensing satellite model project method
cost baseline verification reporting national inventory degradation restoration
agroforestry grazing cropland erosion compost mulch tillage cover crop nitrogen biomass
emission removal sequestration practice practitioner workshop session question answer
partner initiative community practice measurement laboratory analysis stratification
landscape indicator health survey framework upscaling training capacity institution
policy market credit voluntary standard protocol uncertainty variance plot transect
hectare tonne year decade trend evidence data monitored measured reported verified
estimated calculated compared improved
""")
FR = _words("""
sol carbone organique suivi gestion terres climat bénéfice agriculteur champ échantillon
échantillonnage profondeur densité stock changement télédétection satellite modèle
projet méthode coût référence vérification rapport inventaire national dégradation
restauration agroforesterie pâturage culture érosion compost paillage travail couverture
azote biomasse émission séquestration pratique atelier séance question réponse
partenaire initiative communauté mesure laboratoire analyse stratification paysage
indicateur santé enquête cadre formation capacité institution politique marché crédit
volontaire norme protocole incertitude parcelle hectare tonne année décennie tendance
événement données mesurés estimés améliorés
""")
LABELS = ["soil-carbon", "monitoring", "remote-sensing", "agroforestry", "workshop-2021",
          "workshop-2022", "carbone-organique", "méthodes", "farmer-led", "policy", "grazing",
          "compost", "mrv", "training", "francophone"]


def sentence(rng, words, n):
    text = " ".join(rng.choice(words) for _ in range(n))
    return text[0].upper() + text[1:] + "."


def paragraph(rng, words, n_words):
    out, left = [], n_words
    while left > 0:
        n = min(left, rng.randint(8, 20))
        out.append(sentence(rng, words, n))
        left -= n
    return " ".join(out)


def page_body(rng, n_words):
    """300-800 words: headings, paragraphs, a list, and one or two folded sections."""
    french = rng.random() < 0.35
    main, other = (FR, EN) if french else (EN, FR)
    parts, left = [], n_words
    sections = rng.randint(1, 2)
    while left > 0:
        n = min(left, rng.randint(60, 140))
        words = other if rng.random() < 0.2 else main
        kind = rng.random()
        if sections and kind < 0.3:
            body = paragraph(rng, words, n)
            parts.append(f'??? "{sentence(rng, words, 3)[:-1]}"\n    {body}\n')
            sections -= 1
        elif kind < 0.45:
            parts.append(f"## {sentence(rng, words, 3)[:-1]}\n\n{paragraph(rng, words, n)}\n")
        elif kind < 0.55:
            items = [f"* {sentence(rng, words, rng.randint(4, 9))}" for _ in range(max(1, n // 8))]
            parts.append("\n".join(items) + "\n")
        else:
            parts.append(paragraph(rng, words, n) + "\n")
        left -= n
    return "\n".join(parts)


def pages(n, seed=1):
    """(title, parent index or None, body, labels) tuples; every 20th page starts a workshop."""
    rng = random.Random(seed)
    parent = None
    for i in range(n):
        if i % 20 == 0:
            parent = None
        words = FR if rng.random() < 0.35 else EN
        title = f"{sentence(rng, words, rng.randint(3, 6))[:-1]} {i}"
        body = page_body(rng, rng.randint(300, 800))
        labels = rng.sample(LABELS, rng.randint(0, 3))
        yield title, parent, body, labels
        if i % 20 == 0:
            parent = i


def comments(n, n_pages, seed=2):
    """(page index, parent comment index or None, body, author name) tuples."""
    rng = random.Random(seed)
    for i in range(n):
        words = FR if rng.random() < 0.4 else EN
        parent = i - rng.randint(1, 5) if i > 5 and rng.random() < 0.3 else None
        page = rng.randrange(n_pages) if parent is None else None
        yield page, parent, paragraph(rng, words, rng.randint(10, 80)), rng.choice(
            ["", "Amadou", "Claire", "Jeff", "Léa"])
