"""Reading decisions: files and bulk copies in, parsed Decisions (with their reasons) out."""
