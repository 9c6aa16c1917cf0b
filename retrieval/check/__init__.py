"""Checking an answer: does each sentence say what its cited passage says, and is any
passage an instruction planted in a decision?"""
