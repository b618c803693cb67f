"""Services (业务): the doors the screens call, one per use.

Each checks the actor's rights and the campaign's rules, then calls the
repository. They build on core, formats, storage and the repository.
"""
