"""Emotionally neutral carrier sentences, as in acted corpora (CREMA-D, EmoDB).

Neutral wording means the emotion is carried by the voice, not by the words.
"""

from __future__ import annotations

SENTENCES: dict[str, tuple[str, ...]] = {
    "en": (
        "It is eleven o'clock",
        "The paper is on the table by the window",
        "I think I have a doctor's appointment",
        "We will meet at the station on Monday",
        "Don't forget the jacket in the car",
        "The bus leaves in twenty minutes",
    ),
    "de": (
        "Der Lappen liegt auf dem Eisschrank",
        "Das will sie am Mittwoch abgeben",
        "Heute abend könnte ich es ihm sagen",
        "Die wird auf dem Platz sein, wo wir sie immer hinlegen",
        "In sieben Stunden wird es soweit sein",
        "Wir fahren morgen mit dem Zug nach Hause",
    ),
    "fr": (
        "Le livre est sur la table près de la fenêtre",
        "Nous partirons demain matin à huit heures",
        "Il faut prendre le train de dix heures",
        "La réunion commence dans vingt minutes",
        "Elle a laissé son manteau dans la voiture",
        "Le magasin ferme à sept heures le samedi",
    ),
    "it": (
        "Il libro è sul tavolo vicino alla finestra",
        "Partiremo domani mattina alle otto",
        "La riunione comincia tra venti minuti",
        "Ha lasciato il cappotto nella macchina",
        "Il negozio chiude alle sette il sabato",
        "Domani andiamo alla stazione con il treno",
    ),
    "hi": (
        "किताब खिड़की के पास मेज़ पर रखी है",
        "हम कल सुबह आठ बजे निकलेंगे",
        "बैठक बीस मिनट में शुरू होगी",
        "उसने अपना कोट गाड़ी में छोड़ दिया",
        "दुकान शनिवार को सात बजे बंद होती है",
        "बस बीस मिनट में जाएगी",
    ),
}

LANGUAGES: tuple[str, ...] = tuple(SENTENCES)
