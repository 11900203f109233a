"""Report and console wording in both languages (messages themselves live in the glossary)."""

from __future__ import annotations

from typing import Final

LABELS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "title": "OST transmission report",
        "transmission": "Transmission",
        "file": "File",
        "school": "School MIDENT",
        "number": "Transmission number",
        "created": "Created",
        "status": "Status",
        "students": "Students",
        "grades": "Grades",
        "errors": "Errors",
        "warnings": "Warnings",
        "findings": "Findings",
        "line": "Line",
        "code": "Code",
        "severity": "Severity",
        "first_name": "First name",
        "surname": "Surname",
        "student_number": "Student number",
        "course": "Course",
        "message": "Message",
        "action": "What to do",
        "clean": "No errors detected in the data",
        "capped": "Only the first {shown} of {total} findings are listed; "
        "the counts above are exact.",
        "more": "... {hidden} more; use --json for the full list.",
        "more saved": "... {hidden} more; the full list is in {path}.",
        "masked": "OENs and birth dates are partly hidden (*); --show-personal shows them.",
        "glossary": "Glossary",
        "processed": "processed",
        "partially processed": "partially processed",
        "rejected": "rejected",
        "would be processed": "would be processed",
        "would be partially processed": "would be partially processed",
        "would be rejected": "would be rejected",
        "failed": "failed",
        "duplicate": "duplicate",
        "received": "received",
        "processing": "processing",
        "error": "error",
        "warning": "warning",
        "info": "info",
        "matching": "Matching",
        "merge": "Merge",
        # docs/commands.md "matching" and "merge" counts
        "matched": "matched",
        "pending": "held (no applicant yet)",
        "ambiguous": "ambiguous",
        "not_merged": "not merged",
        "inserted": "added",
        "updated": "updated",
        "deleted": "deleted",
        "unchanged": "unchanged",
        "refused": "refused",
        "explain processed": "Every record was accepted.",
        "explain partially processed": "The records with errors listed below were not "
        "accepted; everything else was. Correct them in the student information system; they "
        "will be accepted when they arrive correct in a later transmission.",
        "explain rejected": "Nothing in this file was accepted. Correct the file-level errors "
        "listed below and send the whole file again.",
        "explain duplicate": "This file had already been received; nothing was done with it.",
        "more in attachment": "... and {hidden} more in the attachment.",
        "attachment capped": "The complete report is too large to be sent: the attachment lists "
        "the first {shown} of {total} findings. The application service keeps the complete "
        "report with transmission {id}; ask its operations team for it.",
        "attachment name": "report.csv",
        # docs/record.md: matching findings as a school reads them (no applicant's values).
        "school not yet matched": "Student {student_number} is not yet matched to an "
        "application; the courses are kept and merged once the student's application is found.",
        "school disagrees": "Student {student_number}: your data disagrees with the "
        "application's; please check the name, birth date and OEN sent for this student.",
    },
    "fr": {
        "title": "Rapport de transmission OST",
        "transmission": "Transmission",
        "file": "Fichier",
        "school": "MIDENT de l'école",
        "number": "Numéro de transmission",
        "created": "Créé le",
        "status": "Statut",
        "students": "Élèves",
        "grades": "Notes",
        "errors": "Erreurs",
        "warnings": "Avertissements",
        "findings": "Constats",
        "line": "Ligne",
        "code": "Code",
        "severity": "Gravité",
        "first_name": "Prénom",
        "surname": "Nom de famille",
        "student_number": "Numéro d'élève",
        "course": "Cours",
        "message": "Message",
        "action": "Que faire",
        "clean": "Aucune erreur détectée dans les données",
        "capped": "Seuls les {shown} premiers constats sur {total} sont listés; "
        "les totaux ci-dessus sont exacts.",
        "more": "... {hidden} de plus; utilisez --json pour la liste complète.",
        "more saved": "... {hidden} de plus; la liste complète se trouve dans {path}.",
        "masked": "Les NISO et les dates de naissance sont en partie masqués (*) ; "
        "--show-personal les affiche.",
        "glossary": "Glossaire",
        "processed": "traité",
        "partially processed": "traité partiellement",
        "rejected": "rejeté",
        "would be processed": "serait traité",
        "would be partially processed": "serait traité partiellement",
        "would be rejected": "serait rejeté",
        "failed": "échoué",
        "duplicate": "doublon",
        "received": "reçu",
        "processing": "en traitement",
        "error": "erreur",
        "warning": "avertissement",
        "info": "information",
        "matching": "Jumelage",
        "merge": "Fusion",
        "matched": "jumelés",
        "pending": "en attente (aucune demande encore)",
        "ambiguous": "ambigus",
        "not_merged": "non intégrés",
        "inserted": "ajoutés",
        "updated": "mis à jour",
        "deleted": "supprimés",
        "unchanged": "inchangés",
        "refused": "refusés",
        "explain processed": "Tous les enregistrements ont été acceptés.",
        "explain partially processed": "Les enregistrements en erreur listés ci-dessous n'ont "
        "pas été acceptés; tout le reste l'a été. Corrigez-les dans le système d'information "
        "sur les élèves; ils seront acceptés lorsqu'ils arriveront corrigés dans une "
        "transmission ultérieure.",
        "explain rejected": "Rien dans ce fichier n'a été accepté. Corrigez les erreurs de "
        "fichier listées ci-dessous et renvoyez le fichier en entier.",
        "explain duplicate": "Ce fichier avait déjà été reçu; rien n'a été fait.",
        "more in attachment": "... et {hidden} de plus dans la pièce jointe.",
        "attachment capped": "Le rapport complet est trop volumineux pour être envoyé : la pièce "
        "jointe présente les {shown} premiers de {total} constats. Le service de demande "
        "d'admission conserve le rapport complet avec la transmission {id}; demandez-le à son "
        "équipe des opérations.",
        "attachment name": "rapport.csv",
        "school not yet matched": "L'élève {student_number} n'est pas encore associé à une "
        "demande d'admission; ses cours sont conservés et seront versés dès que sa demande "
        "sera trouvée.",
        "school disagrees": "Élève {student_number} : vos données ne concordent pas avec "
        "celles de la demande d'admission; veuillez vérifier le nom, la date de naissance et "
        "le NISO envoyés pour cet élève.",
    },
}


def label(lang: str, key: str) -> str:
    """The wording of `key` in `lang`, falling back to English, then to the key itself."""
    return LABELS.get(lang, LABELS["en"]).get(key) or LABELS["en"].get(key, key)
