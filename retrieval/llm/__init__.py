"""Language models: chat models from settings, the packaged local model, the LLM answerer."""
