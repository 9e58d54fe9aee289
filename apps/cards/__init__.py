"""Payment cards: the rules a card number, expiry and CVC must pass (rules.py) and the vault that
keeps card data encrypted until the charge attempt ends (vault.py)."""
