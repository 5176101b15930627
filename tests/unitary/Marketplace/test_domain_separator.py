from eth_abi import encode
from eth_utils import keccak

DOMAIN_TYPE = b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
LADDER_TYPE = (
    b"Ladder(uint256 listingId,uint16 round,uint16 version,uint32 counter,uint32 deliverBy,"
    b"uint32 expiry,uint256[] prices,uint256[] units)"
)


def test_domain_separator_binds_name_version_chain_and_contract(market, chain):
    expected = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [keccak(DOMAIN_TYPE), keccak(b"nmrx Marketplace"), keccak(b"1"), chain.id, market.address],
        )
    )
    assert market.DOMAIN_SEPARATOR() == "0x" + expected.hex()


def test_ladder_typehash_is_the_documented_type(market):
    assert market.LADDER_TYPEHASH() == "0x" + keccak(LADDER_TYPE).hex()
