from retrieval.cli import app

app(prog_name="python -m retrieval")
