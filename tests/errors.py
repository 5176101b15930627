"""Expected revert strings for custom errors, formatted exactly as brownie decodes them."""

from brownie.convert.normalize import format_input
from brownie.exceptions import decode_typed_error
from eth_abi import encode
from eth_utils import keccak


def custom_error(contract, name: str, *args) -> str:
    """The revert message brownie reports for `contract`'s custom error `name(args)`.

    Built by encoding the error and decoding it with brownie's own decoder, so a test fails on a
    different error name and on any differing argument.
    """
    abi = next(i for i in contract.abi if i["type"] == "error" and i["name"] == name)
    types = [i["type"] for i in abi["inputs"]]
    values = format_input({"name": name, "inputs": abi["inputs"]}, args)
    selector = keccak(text=f"{name}({','.join(types)})")[:4]
    return decode_typed_error("0x" + (selector + encode(types, values)).hex())
