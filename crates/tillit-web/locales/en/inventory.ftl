# Tillit – English: inventory, information classification and coverage

## Menu
nav-assets = Inventory
nav-coverage = Coverage

## Common
yes = Yes
no = No
filter-all = All
filter-all-units = All units
overdue = Overdue
not-classified = Not classified
level-none = not classified
separate-analysis-short = Separate analysis needed
percent = { $value }%
page-prev = Previous
page-next = Next
page-n = Page { $n }

## Inventory
assets-title = Inventory
assets-views = View
assets-view-all = All assets
assets-view-priority = Priority
assets-priority-intro = Assets not classified yet, in the order they should be classified: those covered by NIS2 first, then by business criticality, and last by whether they are in use.
assets-filter-label = Filter the inventory
assets-search = Search by name
assets-filter-unit = Unit (with its subunits)
assets-filter-classified = Classified
assets-filter-overdue = Only overdue reclassifications
assets-import = Import from Excel or CSV
assets-export-xlsx = Export to Excel (XLSX)
assets-export-csv = Export to CSV
assets-total = Number of assets: { $count }
assets-caption = Assets in the inventory
assets-caption-priority = Unclassified assets in priority order
assets-col-rank = Priority
assets-col-nis2 = NIS2
assets-col-review = Review due
assets-paging = Pages of the inventory
assets-create-heading = New asset
assets-create = Add asset

asset-name = Name
asset-kind = Kind
asset-description = Description
asset-lifecycle = Lifecycle
asset-hosting = Hosting
asset-nis2 = Covered by NIS2
asset-nis2-label = Covered by NIS2 (the Swedish Cybersecurity Act)
asset-nis2-hint = Tick if the asset is needed for a service covered by the Cybersecurity Act (2025:1506).
asset-criticality = Business criticality
asset-supplier = Supplier
asset-system-owner = System owner
asset-object-leader = Object leader (pm3)
asset-information-owner = Information owner
asset-updated = Last changed

asset-kind-system = System
asset-kind-service = Service
asset-kind-information-set = Information set

lifecycle-planned = Planned
lifecycle-in-use = In use
lifecycle-being-retired = Being retired
lifecycle-retired = Retired

hosting-on-premises = On premises
hosting-shared-it = Shared municipal IT
hosting-saas = Software as a service
hosting-cloud = Cloud platform
hosting-other = Other
hosting-unknown = Unknown

criticality-none = Not stated
criticality-low = Low
criticality-medium = Medium
criticality-high = High
criticality-critical = Critical

## One asset
asset-classification-heading = Information classification
asset-current-classification = Show the current classification and action plan
asset-not-classified = The asset is not classified.
asset-continue-draft = Continue the classification in progress
asset-start-classification = Start classification
asset-classifications-caption = Classifications of { $name }, newest first
asset-links-heading = Links
asset-no-links = The asset has no links.
asset-links-caption = Links of { $name }
asset-edit-heading = Edit details
link-relation = Link
link-no-candidates = There are no assets to link in your units.
link-add = Add link
link-remove-label = Remove the link { $relation } { $name }
link-runs-on = Runs on
link-runs-on-heading = The system the service runs on
link-carries-service = Service running here
link-carries-service-heading = Services running on the system
link-processes = Processes
link-processes-heading = Information sets the system processes
link-processed-by = Processed in
link-processed-by-heading = Systems that process the information

## Classification
classification-status-draft = Draft
classification-status-completed = Current
classification-status-superseded = Superseded
classification-title = Classification of { $name }
classification-status = Status
classification-model = Classification model
classification-model-version = { $name }, version { $version }
classification-date = Date
classification-performed-on = Date of the classification
classification-review-due = Review due
classification-draft-intro = Answer the questions for each aspect. The answers propose a level; then decide the level. A decided level that departs from the proposal must be justified. The draft can be saved any number of times.
classification-details-heading = Participants and date
classification-participants = Participants
classification-participants-hint = Name and role, e.g. information owner, system owner and information security coordinator.
classification-save = Save draft
classification-complete = Complete classification
classification-complete-hint = Completing the classification locks it, sets the review date and creates the action plan. Every aspect, the participants and the date must be filled in.
classification-levels-heading = Levels
classification-levels-caption = Proposed and decided level per aspect
classification-aspect = Aspect
classification-proposed = Proposal
classification-decided = Decided level
classification-justification = Justification
classification-departs = Departs from the proposal
classification-answers-heading = Answers
classification-unanswered = Not answered
answer-level = level { $level }
proposal-level = Proposed level: { $level }
proposal-none = No proposed level yet
proposal-progress = ({ $answered } of { $questions } questions answered)
decision-choose = – Choose a level –
decision-level = Decided level for { $aspect }
decision-justification = Justification for { $aspect }
decision-justification-hint = Required when the decided level departs from the proposed one.

separate-analysis-heading = Separate analysis needed
separate-analysis-text = At least one aspect has the highest level. No action plan is created automatically: the asset needs its own risk and vulnerability analysis, in which the safeguards are decided from the actual threats. The requirements below are a starting point for that analysis.

plan-heading = Action plan
plan-intro = Mark each requirement as met, not met or not applicable, who is responsible and when it is due.
plan-none = The levels give no requirements, so the action plan is empty.
plan-none-separate = No automatic action plan: see the separate analysis above.
plan-caption = Action plan for { $name }
requirement = Requirement
requirement-kind = Kind of requirement
requirement-kind-state = State (ÄR)
requirement-kind-procurement = Procurement (SKA)
requirement-from-level = Applies from level
requirement-how = How to meet it
requirement-source = Source: { $source }
requirements-heading = Requirements that follow from the levels
requirements-none = The levels give no requirements.
requirements-summary = Show the requirements ({ $count })
requirements-caption = Requirements that follow from the decided levels
item-status = Status
item-owner = Responsible
item-due = Due
item-comment = Comment
item-status-open = Open
item-status-met = Met
item-status-not-met = Not met
item-status-not-applicable = Not applicable
item-status-label = Status of { $id }
item-owner-label = Responsible for { $id }
item-due-label = Due date of { $id }
item-comment-label = Comment on { $id }
item-save-label = Save { $id }

## Coverage
coverage-title = Classification coverage
coverage-intro = How much of each unit's assets is classified, how many reclassifications are overdue and how many action-plan requirements are open or not met. Each unit is counted with its subunits. Retired assets are not counted. Choose a number to see the assets.
coverage-caption = Classification coverage per unit
coverage-assets = Assets
coverage-classified = Classified
coverage-share = Share classified
coverage-unclassified = Unclassified
coverage-overdue = Overdue reclassifications
coverage-open-items = Open requirements
coverage-total = Total

## Confirmations
done-linked = The link has been added.
done-unlinked = The link has been removed.
done-started = The classification has been started. Answer the questions and save the draft.
done-completed = The classification is complete and the action plan has been created.
done-item-saved = The action-plan requirement has been saved.

## Errors
error-link-target-required = Choose an asset to link.
error-date-invalid = Enter a date as YYYY-MM-DD.
coverage-export-intro = The action plans, for follow-up:
coverage-export-xlsx = Export action plans to Excel (XLSX)
coverage-export-csv = Export action plans to CSV
