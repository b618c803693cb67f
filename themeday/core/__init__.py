"""Core (底层): the vocabulary, records, rules and pure engines.

No Streamlit, no SQL, no uploads or downloads; nothing here imports another
layer of the package. config alone reads the environment (and the cookie key
file beside the database).
"""
