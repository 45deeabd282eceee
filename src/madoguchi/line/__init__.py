"""The city's LINE official account: the chat bot, account linking and the rich menu.

An edge app on the top floor: it answers from applications, reservations, the FAQ and the
catalog. Delivering notices by LINE (the channel plugin and its models) stays in
:mod:`madoguchi.channels`, on the floor below everything that sends a notice.
"""
