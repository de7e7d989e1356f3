"""The rectification ledger (整改台账): one row per problem point, sent out, returned, merged."""
