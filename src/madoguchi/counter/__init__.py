"""The counter visit (書かない窓口): a clerk serves a resident who came in person.

A visit is opened from a called ticket or for a walk-in; the clerk identifies the resident
through the registry connector (or types a new resident's data once), picks the life events,
asks the union of the procedures' questions on one interview screen, lets the resident confirm
on a screen facing them, and sends every application at once. Other departments take the visit
over at the same seat; the visit keeps a timeline of it all.
"""
