import Foundation
import Testing
@testable import LSTMGradCheck

/// Each tangent rule against its closed form, in the regimes where a careless rule loses digits.
@Suite struct DualTests {
    func derivative(_ f: (Dual) -> Dual, at x: Double) -> Double {
        f(Dual(value: x, seeding: 3)).tangent[3]
    }

    @Test func everyLaneCarriesItsOwnDirection() {
        let x = Dual(value: 2, seeding: 0), y = Dual(value: 5, seeding: Dual.lanes - 1)
        let z = x * y + Dual.exp(x) / y
        #expect(z.tangent[0] == 5 + exp(2.0) / 5)
        #expect(abs(z.tangent[Dual.lanes - 1] - (2 - exp(2.0) / 25)) <= 1e-15 * 2)
        #expect((1..<(Dual.lanes - 1)).allSatisfy { z.tangent[$0] == 0 })
    }

    @Test(arguments: [-30.0, -3, -0.1, 0, 1e-9, 0.7, 5, 20, 400])
    func tanhDerivativeIsSechSquaredToAFewUlps(_ x: Double) {
        // sech²x = 1/cosh²x, exact to a few ulps while cosh does not overflow.
        let expected = 1 / (cosh(x) * cosh(x))
        #expect(abs(derivative(Dual.tanh, at: x) - expected) <= 4e-16 * expected, "\(x)")
    }

    @Test(arguments: [-800.0, -30, -2, 0, 2, 30, 800])
    func sigmoidDerivativeIsRightWhereItSaturates(_ x: Double) {
        // σ' = e^{−|x|} / (1 + e^{−|x|})².
        let e = exp(-abs(x)), expected = e / ((1 + e) * (1 + e))
        #expect(abs(derivative(Dual.sigmoid, at: x) - expected) <= 4e-16 * expected, "\(x)")
    }

    @Test func expLogAndQuotient() {
        #expect(derivative(Dual.exp, at: 1.5) == exp(1.5))
        #expect(derivative(Dual.log, at: 1e-300) == 1 / 1e-300)
        // (1/x)' = −1/x².
        #expect(abs(derivative({ Dual(1) / $0 }, at: 3) + 1.0 / 9) <= 1e-16)
        // (x/b)' = 1/b: no b² on the way, which would underflow to 0 here.
        #expect(derivative({ $0 / Dual(1e-200) }, at: 3) == 1e200)
    }
}
