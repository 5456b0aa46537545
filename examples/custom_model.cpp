// AdaLoRA inside your own LibTorch model: build with adalora::nn::Linear, attach, train, save.
#include <adalora/adalora.h>

struct NetImpl : torch::nn::Module {
  adalora::nn::Linear fc1{register_module("fc1", adalora::nn::Linear(64, 128))};
  adalora::nn::Linear fc2{register_module("fc2", adalora::nn::Linear(128, 10))};
  torch::Tensor forward(torch::Tensor x) { return fc2(torch::relu(fc1(x))); }
};
TORCH_MODULE(Net);

int main() {
  adalora::configure_threads();  // LibTorch may start with 1 thread
  Net net;
  adalora::peft::AdaLoraConfig config;
  config.init_r = 12, config.target_r = 4, config.total_step = 200;
  config.tinit = 20, config.tfinal = 40, config.deltaT = 10;
  config.targets.names = {"fc1", "fc2"};
  auto adalora = adalora::peft::AdaLora::attach(*net, config);  // freezes the base weights

  torch::optim::AdamW optimizer(adalora.parameters(), torch::optim::AdamWOptions(1e-2));
  for (int step = 0; step < config.total_step; ++step) {
    auto x = torch::randn({32, 64});
    auto y = x.narrow(1, 0, 10).argmax(1);  // a learnable toy task
    auto loss = adalora.add_regularizer(torch::cross_entropy_loss(net(x), y));
    loss.backward();
    adalora.step(optimizer);  // optimizer.step → importance + budget → zero_grad
  }
  for (const auto& m : adalora.allocator().ranks()) std::cout << m.name << " rank " << m.rank << "\n";
  adalora.save("adalora_example_adapter");  // PEFT's adapter_config.json + adapter_model.safetensors
}
