// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IMarketAccounts} from "../interfaces/IMarketAccounts.sol";
import {MarketParams} from "./MarketParams.sol";

/// @title MarketAccounts
/// @notice NMR custody: claimable balances, seller bonds with exit notice, accrued fees.
/// @dev The only functions that call the token are `deposit`, `withdraw` and `withdrawFees`; they
/// are `nonReentrant` and update balances before the call. Every other function only moves
/// amounts between internal records, which is why trading paths need no guard.
abstract contract MarketAccounts is MarketParams, ReentrancyGuard, IMarketAccounts {
    using SafeERC20 for IERC20;

    /// @notice The NMR token.
    IERC20 public immutable nmr;
    address private immutable _treasury;

    mapping(address account => Account) internal _accounts;
    mapping(address seller => Seller) internal _sellers;
    mapping(address seller => BondExit) internal _exits;
    uint256 internal _fees;

    constructor(IERC20 token, address treasury_) {
        if (treasury_ == address(0)) revert MarketplaceZeroAddress();
        nmr = token;
        _treasury = treasury_;
    }

    /// @inheritdoc IMarketAccounts
    function deposit(uint256 amount) external nonReentrant {
        if (amount == 0) revert MarketplaceZeroAmount();
        // NMR takes no transfer fee, so the amount asked is the amount received.
        _credit(msg.sender, amount);
        emit Deposited(msg.sender, amount);
        nmr.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IMarketAccounts
    function withdraw(uint256 amount) external nonReentrant {
        if (amount == 0) revert MarketplaceZeroAmount();
        _debit(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
        nmr.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IMarketAccounts
    function withdrawFees() external nonReentrant {
        uint256 amount = _fees;
        if (amount == 0) revert MarketplaceZeroAmount();
        _fees = 0;
        emit FeesWithdrawn(_treasury, amount);
        nmr.safeTransfer(_treasury, amount);
    }

    /// @inheritdoc IMarketAccounts
    function sweepFees(address[] calldata sellers) external {
        uint256 total = 0;
        for (uint256 i; i < sellers.length; ++i) {
            Account storage a = _accounts[sellers[i]];
            total += a.feesDue;
            a.feesDue = 0;
        }
        _fees += total;
        emit FeesSwept(total);
    }

    /// @inheritdoc IMarketAccounts
    function postBond(uint256 amount) external {
        if (amount == 0) revert MarketplaceZeroAmount();
        _debit(msg.sender, amount);
        Seller storage s = _sellers[msg.sender];
        uint256 bond = s.bond + amount;
        s.bond = _u88(bond);
        emit BondPosted(msg.sender, amount, bond);
    }

    /// @inheritdoc IMarketAccounts
    function requestBondExit(uint256 amount) external {
        if (amount == 0) revert MarketplaceZeroAmount();
        Seller storage s = _sellers[msg.sender];
        uint256 bond = s.bond;
        if (amount > bond) revert MarketplaceInsufficientBalance(msg.sender, bond, amount);
        uint256 required = s.locked;
        // Cannot underflow: amount <= bond was checked above.
        unchecked {
            if (bond - amount < required) revert MarketplaceBondTooLow(msg.sender, bond - amount, required);
            s.bond = uint88(bond - amount);
        }
        BondExit storage e = _exits[msg.sender];
        uint256 exiting = e.amount + amount;
        uint256 unlockAt = block.timestamp + terms.windows().exitNotice;
        e.amount = _u88(exiting);
        e.unlockAt = uint32(unlockAt);
        emit BondExitRequested(msg.sender, amount, exiting, unlockAt);
    }

    /// @inheritdoc IMarketAccounts
    function withdrawBond() external {
        BondExit memory e = _exits[msg.sender];
        // slither-disable-next-line incorrect-equality -- zero means nothing is exiting, not a balance race
        if (e.amount == 0 || block.timestamp < e.unlockAt) revert MarketplaceBondExitLocked(msg.sender, e.unlockAt);
        delete _exits[msg.sender];
        _credit(msg.sender, e.amount);
        emit BondWithdrawn(msg.sender, e.amount);
    }

    /// @inheritdoc IMarketAccounts
    function balanceOf(address account) external view returns (uint256) {
        return _accounts[account].balance;
    }

    /// @inheritdoc IMarketAccounts
    function feesDueOf(address seller) external view returns (uint256) {
        return _accounts[seller].feesDue;
    }

    /// @inheritdoc IMarketAccounts
    function sellerOf(address seller) external view returns (Seller memory) {
        return _sellers[seller];
    }

    /// @inheritdoc IMarketAccounts
    function bondExitOf(address seller) external view returns (BondExit memory) {
        return _exits[seller];
    }

    /// @inheritdoc IMarketAccounts
    function feesAccrued() external view returns (uint256) {
        return _fees;
    }

    /// @inheritdoc IMarketAccounts
    function treasury() external view returns (address) {
        return _treasury;
    }

    function _debit(address account, uint256 amount) internal {
        Account storage a = _accounts[account];
        uint256 word;
        assembly ("memory-safe") {
            word := sload(a.slot)
        }
        // `balance` is the slot's low 88 bits (see `Account`).
        uint256 balance = uint88(word);
        if (balance < amount) revert MarketplaceInsufficientBalance(account, balance, amount);
        // amount <= balance: subtracting from the whole slot leaves the other fields as they are.
        assembly ("memory-safe") {
            sstore(a.slot, sub(word, amount))
        }
    }

    /// @dev Locks `amount` more of `seller`'s bond, which must cover all it then locks.
    function _lockBond(address seller, uint256 amount) internal {
        Seller storage s = _sellers[seller];
        uint256 word;
        assembly ("memory-safe") {
            word := sload(s.slot)
        }
        // `bond` is bits 0-87 of the slot, `locked` bits 88-175 (see `Seller`).
        uint256 bond = uint88(word);
        uint256 locked = uint88(word >> 88) + amount;
        if (bond < locked) revert MarketplaceBondTooLow(seller, bond, locked);
        // locked <= bond < 2^88: adding into `locked`'s bits cannot carry into `counter`.
        assembly ("memory-safe") {
            sstore(s.slot, add(word, shl(88, amount)))
        }
    }

    function _credit(address account, uint256 amount) internal {
        Account storage a = _accounts[account];
        a.balance = _u88(a.balance + amount);
    }

    /// @dev Takes up to `amount` from the seller's bond, then from bond that is exiting; returns what was taken.
    function _slashBond(address seller, uint256 orderId, uint256 amount) internal returns (uint256 slashed) {
        Seller storage s = _sellers[seller];
        uint256 bond = s.bond;
        if (amount <= bond) {
            // Cannot underflow: amount <= bond.
            unchecked {
                s.bond = uint88(bond - amount);
            }
            slashed = amount;
        } else {
            s.bond = 0;
            BondExit storage e = _exits[seller];
            uint256 fromExit = amount - bond;
            if (fromExit > e.amount) fromExit = e.amount;
            // Cannot underflow: fromExit <= e.amount.
            unchecked {
                e.amount = uint88(e.amount - fromExit);
            }
            slashed = bond + fromExit;
        }
        if (slashed > 0) emit BondSlashed(seller, orderId, slashed);
    }

    /// @dev Bond an order of `price` locks: rounded up, so locked bond always covers the ratio.
    function _requiredBond(uint256 price, uint256 minBondBps) internal pure returns (uint256) {
        return (price * minBondBps + BPS - 1) / BPS;
    }

    function _u88(uint256 amount) internal pure returns (uint88) {
        if (amount > type(uint88).max) revert MarketplaceAmountTooLarge(amount);
        return uint88(amount);
    }
}
