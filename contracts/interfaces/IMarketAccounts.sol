// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IMarketAccounts
/// @notice NMR custody of the marketplace: every account's claimable balance (deposits,
/// proceeds, refunds), sellers' collateral bonds with an exit notice, and accrued platform fees.
/// Payments out are pulled: nothing is ever pushed to an account during a trade.
interface IMarketAccounts {
    /// @notice A seller's bond, locked bond and counters, packed in one slot (a fill reads and
    /// writes only this slot of the seller). NMR amounts are 88-bit everywhere: 3e8 NMR, above the supply.
    /// @param bond Collateral available to back new sales and to be slashed.
    /// @param locked Bond the seller's open orders keep locked: the sum of their `Order.bond`,
    /// each fixed when the order opened (so no later listing or rate change frees it).
    /// @param counter Ladders signed with another counter cannot be filled.
    /// @param sales Orders released to the seller that count for reputation (price at least
    /// `MIN_REPUTATION_PRICE`, buyer not the seller).
    struct Seller {
        uint88 bond;
        uint88 locked;
        uint24 counter;
        uint32 sales;
    }

    /// @notice An account's claimable balance, and (for a seller) platform fees its sales owe the
    /// treasury and its sales volume, kept together so a settlement writes one slot for all.
    /// @param volume Sum of the prices of the seller's counted sales, in gwei of NMR (1e-9 NMR).
    struct Account {
        uint88 balance;
        uint88 feesDue;
        uint80 volume;
    }

    /// @notice Bond leaving a seller: still slashable until `unlockAt`, then withdrawable.
    struct BondExit {
        uint88 amount;
        uint32 unlockAt;
    }

    /// @notice Emitted when `account` deposits NMR into its balance.
    event Deposited(address indexed account, uint256 amount);
    /// @notice Emitted when `account` withdraws NMR from its balance.
    event Withdrawn(address indexed account, uint256 amount);
    /// @notice Emitted when fees due from sellers' sales move to the accrued fees.
    event FeesSwept(uint256 amount);
    /// @notice Emitted when accrued fees are paid to the treasury.
    event FeesWithdrawn(address indexed treasury, uint256 amount);
    /// @notice Emitted when a seller moves balance into its bond.
    event BondPosted(address indexed seller, uint256 amount, uint256 bond);
    /// @notice Emitted when a seller starts the exit notice for `amount` of bond.
    event BondExitRequested(address indexed seller, uint256 amount, uint256 exiting, uint256 unlockAt);
    /// @notice Emitted when exited bond returns to the seller's balance.
    event BondWithdrawn(address indexed seller, uint256 amount);
    /// @notice Emitted when bond (including exiting bond) is slashed for an order.
    event BondSlashed(address indexed seller, uint256 indexed orderId, uint256 amount);

    /// @notice Zero amount.
    error MarketplaceZeroAmount();
    /// @notice `account` has `available` but needs `needed`.
    error MarketplaceInsufficientBalance(address account, uint256 available, uint256 needed);
    /// @notice The seller's bond would fall below what its open orders lock.
    error MarketplaceBondTooLow(address seller, uint256 bond, uint256 required);
    /// @notice The exit notice has not passed (or nothing is exiting).
    error MarketplaceBondExitLocked(address seller, uint256 unlockAt);
    /// @notice An amount does not fit the 88-bit storage fields.
    error MarketplaceAmountTooLarge(uint256 amount);

    /// @notice Pulls `amount` NMR from the caller (approve first) into its balance.
    function deposit(uint256 amount) external;

    /// @notice Sends `amount` of the caller's balance to the caller.
    function withdraw(uint256 amount) external;

    /// @notice Sends all accrued fees to the treasury. Anyone may call.
    function withdrawFees() external;

    /// @notice Moves the fees due from each of `sellers`' sales into the accrued fees. Anyone may call.
    function sweepFees(address[] calldata sellers) external;

    /// @notice Moves `amount` of the caller's balance into its seller bond.
    function postBond(uint256 amount) external;

    /// @notice Starts the exit notice for `amount` of the caller's bond. The amount stops backing
    /// new sales at once but stays slashable until the notice ends; a new request restarts it.
    function requestBondExit(uint256 amount) external;

    /// @notice Moves the caller's exited bond back to its balance once the notice has passed.
    function withdrawBond() external;

    /// @notice The claimable balance of `account`.
    function balanceOf(address account) external view returns (uint256);

    /// @notice Platform fees `seller`'s sales owe, not yet swept.
    function feesDueOf(address seller) external view returns (uint256);

    /// @notice The bond, locked bond and counters of `seller`.
    function sellerOf(address seller) external view returns (Seller memory);

    /// @notice The bond `seller` is taking out and when it unlocks.
    function bondExitOf(address seller) external view returns (BondExit memory);

    /// @notice Platform fees swept or slashed in and not yet paid to the treasury.
    function feesAccrued() external view returns (uint256);

    /// @notice The NMR token held.
    function nmr() external view returns (IERC20);

    /// @notice Where fees go.
    function treasury() external view returns (address);
}
