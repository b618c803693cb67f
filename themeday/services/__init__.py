"""Services (业务): the doors the screens call, one per use.

A write checks the actor's rights and the campaign's rules, then calls the
repository; the rest prepare what a screen shows (boards, dashboard), and
first_run opens the database. They build on core, formats, storage and the
repository.
"""
