"""Crawling the published decisions: polite fetching, listing pages, the output folder."""
