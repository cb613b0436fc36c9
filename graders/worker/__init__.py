"""Code that runs inside the sandbox: executes notebook cells, then answers the judge's calls.

Nothing here is trusted by the judge: the student's code shares this interpreter and can change any of it. Everything
the worker sends back is plain data, decoded strictly on the judge's side.
"""
