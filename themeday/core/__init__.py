"""Core (底层): the vocabulary, records, rules and pure engines.

No Streamlit, no SQL, no files; nothing here imports another layer of the
package (config is the one place that reads the environment).
"""
