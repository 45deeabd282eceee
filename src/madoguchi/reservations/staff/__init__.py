"""The staff side of reservations: the day roster, check-in, phone bookings, moving and
cancelling, closing slots and days, extra sessions, export and utilisation.

The pages are split by area (``bookings``, ``slots``, ``reports``) over ``forms``, ``common``,
``selectors`` (department-scoped reads) and ``services`` (the writes).
"""
