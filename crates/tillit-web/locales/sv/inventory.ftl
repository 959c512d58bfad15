# Tillit – svenska: inventarie, informationsklassning och klassningsläge

## Menyn
nav-assets = Inventarie
nav-coverage = Klassningsläge

## Gemensamt
yes = Ja
no = Nej
filter-all = Alla
filter-all-units = Alla enheter
overdue = Försenad
not-classified = Ej klassad
level-none = ej klassad
separate-analysis-short = Egen analys krävs
percent = { $value } %
page-prev = Föregående
page-next = Nästa
page-n = Sida { $n }

## Inventarie
assets-title = Inventarie
assets-views = Visning
assets-view-all = Alla tillgångar
assets-view-priority = Prioritering
assets-priority-intro = Tillgångar som ännu inte är klassade, i den ordning de bör klassas: de som omfattas av NIS2 först, sedan efter verksamhetskritikalitet och sist efter om de används.
assets-filter-label = Filtrera inventariet
assets-search = Sök på namn
assets-filter-unit = Enhet (med underenheter)
assets-filter-classified = Klassad
assets-filter-overdue = Bara försenade omklassningar
assets-import = Importera från Excel eller CSV
assets-export-xlsx = Exportera till Excel (XLSX)
assets-export-csv = Exportera till CSV
assets-total = Antal tillgångar: { $count }
assets-caption = Tillgångar i inventariet
assets-caption-priority = Oklassade tillgångar i prioritetsordning
assets-col-rank = Prio
assets-col-nis2 = NIS2
assets-col-review = Omklassas senast
assets-paging = Sidor i inventariet
assets-create-heading = Ny tillgång
assets-create = Lägg till tillgång

asset-name = Namn
asset-kind = Typ
asset-description = Beskrivning
asset-lifecycle = Livscykel
asset-hosting = Driftform
asset-nis2 = Omfattas av NIS2
asset-nis2-label = Omfattas av NIS2 (cybersäkerhetslagen)
asset-nis2-hint = Kryssa i om tillgången behövs för en tjänst som omfattas av cybersäkerhetslagen (2025:1506).
asset-criticality = Verksamhetskritikalitet
asset-supplier = Leverantör
asset-system-owner = Systemägare
asset-object-leader = Objektledare (pm3)
asset-information-owner = Informationsägare
asset-updated = Senast ändrad

asset-kind-system = System
asset-kind-service = Tjänst
asset-kind-information-set = Informationsmängd

lifecycle-planned = Planerad
lifecycle-in-use = I drift
lifecycle-being-retired = Under avveckling
lifecycle-retired = Avvecklad

hosting-on-premises = Egen drift
hosting-shared-it = Kommungemensam IT
hosting-saas = Molntjänst (SaaS)
hosting-cloud = Molnplattform
hosting-other = Annan
hosting-unknown = Okänd

criticality-none = Ej angiven
criticality-low = Låg
criticality-medium = Medel
criticality-high = Hög
criticality-critical = Kritisk

## En tillgång
asset-classification-heading = Informationsklassning
asset-current-classification = Visa gällande klassning och handlingsplan
asset-not-classified = Tillgången är inte klassad.
asset-continue-draft = Fortsätt den påbörjade klassningen
asset-start-classification = Starta klassning
asset-classifications-caption = Klassningar av { $name }, nyaste först
asset-links-heading = Kopplingar
asset-no-links = Tillgången har inga kopplingar.
asset-links-caption = Kopplingar för { $name }
asset-edit-heading = Ändra uppgifter
link-relation = Koppling
link-no-candidates = Det finns inga tillgångar att koppla i dina enheter.
link-add = Lägg till koppling
link-remove-label = Ta bort kopplingen { $relation } { $name }
link-runs-on = Körs på
link-runs-on-heading = Systemet tjänsten körs på
link-carries-service = Tjänst som körs här
link-carries-service-heading = Tjänster som körs på systemet
link-processes = Behandlar
link-processes-heading = Informationsmängder som systemet behandlar
link-processed-by = Behandlas i
link-processed-by-heading = System som behandlar informationen

## Klassning
classification-status-draft = Utkast
classification-status-completed = Gällande
classification-status-superseded = Ersatt
classification-title = Klassning av { $name }
classification-status = Status
classification-model = Klassningsmodell
classification-model-version = { $name }, version { $version }
classification-date = Datum
classification-performed-on = Datum för klassningen
classification-review-due = Omklassas senast
classification-draft-intro = Besvara frågorna för varje aspekt. Svaren föreslår en nivå; bestäm sedan nivån. Avviker den beslutade nivån från förslaget ska den motiveras. Utkastet kan sparas hur många gånger som helst.
classification-details-heading = Deltagare och datum
classification-participants = Deltagare
classification-participants-hint = Namn och roll, t.ex. informationsägare, systemägare och informationssäkerhetssamordnare.
classification-save = Spara utkast
classification-complete = Slutför klassning
classification-complete-hint = När klassningen slutförs låses den, omklassningsdatum sätts och handlingsplanen skapas. Alla aspekter, deltagare och datum måste vara ifyllda.
classification-levels-heading = Nivåer
classification-levels-caption = Föreslagen och beslutad nivå per aspekt
classification-aspect = Aspekt
classification-proposed = Förslag
classification-decided = Beslutad nivå
classification-justification = Motivering
classification-departs = Avviker från förslaget
classification-answers-heading = Svar
classification-unanswered = Inte besvarad
answer-level = nivå { $level }
proposal-level = Föreslagen nivå: { $level }
proposal-none = Ingen föreslagen nivå ännu
proposal-progress = ({ $answered } av { $questions } frågor besvarade)
decision-choose = – Välj nivå –
decision-level = Beslutad nivå för { $aspect }
decision-justification = Motivering för { $aspect }
decision-justification-hint = Krävs när den beslutade nivån avviker från den föreslagna.

separate-analysis-heading = Egen analys krävs
separate-analysis-text = Minst en aspekt har den högsta nivån. Då skapas ingen automatisk handlingsplan: tillgången behöver en egen risk- och sårbarhetsanalys där skydden bestäms utifrån den faktiska hotbilden. Kraven nedan är en utgångspunkt för den analysen.

plan-heading = Handlingsplan
plan-intro = Markera för varje krav om det är uppfyllt, inte uppfyllt eller inte tillämpligt, vem som ansvarar och när det ska vara klart.
plan-none = Nivåerna ger inga krav, så handlingsplanen är tom.
plan-none-separate = Ingen automatisk handlingsplan: se den egna analysen ovan.
plan-caption = Handlingsplan för { $name }
requirement = Krav
requirement-kind = Typ av krav
requirement-kind-state = ÄR-krav
requirement-kind-procurement = SKA-krav
requirement-from-level = Gäller från nivå
requirement-how = Så kan kravet uppfyllas
requirement-source = Källa: { $source }
requirements-heading = Krav som följer av nivåerna
requirements-none = Nivåerna ger inga krav.
requirements-summary = Visa kraven ({ $count })
requirements-caption = Krav som följer av de beslutade nivåerna
item-status = Status
item-owner = Ansvarig
item-due = Klart senast
item-comment = Kommentar
item-status-open = Öppen
item-status-met = Uppfyllt
item-status-not-met = Ej uppfyllt
item-status-not-applicable = Ej tillämpligt
item-status-label = Status för { $id }
item-owner-label = Ansvarig för { $id }
item-due-label = Klart senast för { $id }
item-comment-label = Kommentar till { $id }
item-save-label = Spara { $id }

## Klassningsläge
coverage-title = Klassningsläge
coverage-intro = Hur stor del av varje enhets tillgångar som är klassade, hur många omklassningar som är försenade och hur många krav i handlingsplanerna som är öppna eller inte uppfyllda. Varje enhet räknas med sina underenheter. Avvecklade tillgångar räknas inte. Välj en siffra för att se tillgångarna.
coverage-caption = Klassningsläge per enhet
coverage-assets = Tillgångar
coverage-classified = Klassade
coverage-share = Andel klassade
coverage-unclassified = Oklassade
coverage-overdue = Försenade omklassningar
coverage-open-items = Öppna krav
coverage-total = Totalt

## Bekräftelser
done-linked = Kopplingen har lagts till.
done-unlinked = Kopplingen har tagits bort.
done-started = Klassningen har startats. Besvara frågorna och spara utkastet.
done-completed = Klassningen är slutförd och handlingsplanen har skapats.
done-item-saved = Kravet i handlingsplanen har sparats.

## Fel
error-link-target-required = Välj en tillgång att koppla.
error-date-invalid = Ange ett datum som ÅÅÅÅ-MM-DD.
coverage-export-intro = Handlingsplanerna för uppföljning:
coverage-export-xlsx = Exportera handlingsplaner till Excel (XLSX)
coverage-export-csv = Exportera handlingsplaner till CSV
