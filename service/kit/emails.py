import email_validator


def match_the_contract() -> None:
    """Makes `format: email` validation mean what the contract says: RFC 5321 syntax, ASCII.

    email-validator, behind Pydantic's EmailStr, also refuses reserved domains (`.test`,
    `.local`) as undeliverable and accepts non-ASCII addresses; JSON Schema's `email` format
    does the opposite on both, and clients validate against the contract.
    """
    email_validator.SPECIAL_USE_DOMAIN_NAMES = []
    email_validator.ALLOW_SMTPUTF8 = False
